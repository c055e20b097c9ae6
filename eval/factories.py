"""Clean forms that must produce zero findings, and a tiny patch helper for rule tables."""

from __future__ import annotations

import copy
from typing import Any

from review.form import Form

ACHIEVEMENTS = (
    "长期从事{field}临床诊疗、教学与科研工作，现任本院{field}学科带头人。在临床方面，牵头建立了本院{field}规范化诊疗流程，"
    "主持完成疑难危重病例多学科会诊数百例，带领团队开展多项新技术并在区域内推广应用，显著提高了诊疗质量和患者安全水平。"
    "在教学方面，承担医学院本科生、研究生及住院医师规范化培训的授课任务，指导研究生二十余名，主编和参编专业教材及专著多部，"
    "多次获得校级、院级优秀教师称号。在科研方面，主持国家自然科学基金项目三项、省部级课题五项，以第一作者或通讯作者发表学术论文"
    "八十余篇，获省部级科技进步奖二等奖两项。近三年连续主持国家级和省级继续医学教育项目，学员覆盖全国二十多个省份，"
    "学员满意度评价优良，项目执行规范，形成了理论讲授与实践操作相结合、以临床问题为导向的培训模式，受到同行和学员的一致好评。"
)
UNIT_PROFILE = (
    "申报单位是一所集医疗、教学、科研、预防为一体的三级甲等综合医院，设有继续医学教育委员会和继续教育办公室，形成了医院、"
    "科室、项目组三级组织架构，职责分工明确。医院制定了继续医学教育管理办法、项目申报与执行管理制度、学分授予管理规定等"
    "配套政策，对项目的申报、举办、考核和总结进行全过程管理。医院每年设立继续教育专项经费，对获批项目给予经费支持，"
    "保障授课、教材、场地和学员管理等各项开支。培训场地包括可容纳三百人的学术报告厅、多间多媒体教室和临床技能模拟中心，"
    "配备完善的视频直播和录播设备，能够满足理论授课与实践操作的需要。项目负责人所在科室现有医师四十余名，其中主任医师八名、"
    "副主任医师十二名，博士研究生导师三名，师资队伍结构合理、教学经验丰富，多年来承担国家级和省级继续医学教育项目，"
    "具有良好的组织能力和培训效果，能够保证本项目高质量完成。"
)
PEER_REVIEW = (
    "该项目聚焦{field}领域的临床热点和难点问题，培训内容涵盖最新指南解读、规范化诊疗流程、疑难病例分析和新技术应用等主题，"
    "课程设置系统完整，理论与实践紧密结合。培训形式采用专题讲座、病例讨论和现场技术示范相结合的方式，注重学员互动和实际操作能力"
    "的提升。项目负责人在本领域具有较高的学术水平和丰富的临床经验，授课教师团队结构合理、职称层次高，具备良好的教学能力。"
    "申报单位在本学科具有较强的学术影响力和多年举办继续医学教育项目的成功经验，培训场地和设施条件完备。该项目对提高基层和"
    "外省医务人员的专业能力具有重要意义，同意推荐申报。"
)

NATIONAL: dict[str, Any] = {
    "application_code": None,
    "title": "急性心肌梗死规范化诊疗进展学习班",
    "subject": "临床内科学-心血管病学",
    "level": "国家级",
    "category": "普通项目",
    "jjj": False,
    "infectious_training": False,
    "mode": "面授",
    "audience": "全国二级以上医院心血管内科医师",
    "enrollment": 200,
    "total_hours": 18,
    "theory_hours": 12,
    "practice_hours": 6,
    "credits": 6,
    "sessions": 1,
    "events": [
        {"start": "2026-05-08", "end": "2026-05-10", "days": 3, "venue": "北京市海淀区北京大学第三医院会议中心"}
    ],
    "out_of_province_pct": 30,
    "grassroots_pct": 20,
    "applicant_unit": "北京大学第三医院",
    "unit_type": "医疗卫生机构",
    "unit_phone": "010-82266699",
    "unit_contact": "刘敏",
    "lead_address": "北京市海淀区花园北路49号",
    "lead_phone": "13800138000",
    "peer_review": PEER_REVIEW.format(field="心血管病"),
    "peer_reviewer": {"name": "王明", "title": "主任医师", "unit": "首都医科大学附属北京安贞医院"},
    "lead": {
        "name": "张伟",
        "sex": "男",
        "birth": "1975-03",
        "id_number": "110108197503120017",
        "title": "主任医师",
        "post": "科主任",
        "education": "博士研究生",
        "unit": "北京大学第三医院",
        "employed": True,
        "specialty": "心血管内科",
    },
    "achievements": ACHIEVEMENTS.format(field="心血管内科"),
    "history": [
        {
            "year": 2023,
            "national": True,
            "provincial": False,
            "executed": True,
            "national_code": "2023-03-01-015",
            "provincial_code": None,
        },
        {
            "year": 2024,
            "national": False,
            "provincial": True,
            "executed": True,
            "national_code": None,
            "provincial_code": "2024-03-01-101",
        },
        {
            "year": 2025,
            "national": True,
            "provincial": False,
            "executed": True,
            "national_code": "2025-03-01-020",
            "provincial_code": None,
        },
    ],
    "unit_profile": UNIT_PROFILE,
    "teachers": [
        {
            "name": "张伟",
            "title": "主任医师",
            "unit": "北京大学第三医院",
            "topic": "急性心肌梗死诊疗指南解读",
            "method": "讲座",
            "hours": 3,
            "kind": "theory",
        },
        {
            "name": "李娜",
            "title": "副主任医师",
            "unit": "北京大学第三医院",
            "topic": "急诊经皮冠状动脉介入治疗策略",
            "method": "多媒体",
            "hours": 3,
            "kind": "theory",
        },
        {
            "name": "王强",
            "title": "教授",
            "unit": "首都医科大学附属北京安贞医院",
            "topic": "心肌梗死后心力衰竭的管理",
            "method": "讲座",
            "hours": 3,
            "kind": "theory",
        },
        {
            "name": "刘洋",
            "title": "副主任医师",
            "unit": "北京大学第三医院",
            "topic": "心肌梗死合并心律失常的处理",
            "method": "案例讨论",
            "hours": 3,
            "kind": "theory",
        },
        {
            "name": "陈静",
            "title": "主治医师",
            "unit": "北京大学第三医院",
            "topic": "心电图判读技术示范",
            "method": "技术示范",
            "hours": 3,
            "kind": "practice",
        },
        {
            "name": "赵磊",
            "title": "副主任医师",
            "unit": "北京协和医院",
            "topic": "床旁超声评估演示",
            "method": "演示",
            "hours": 3,
            "kind": "practice",
        },
    ],
    "signed": True,
}


def _beijing() -> dict[str, Any]:
    """北京市级 orthopaedics project, same unit."""
    d = copy.deepcopy(NATIONAL)
    d.update(
        level="北京市级",
        title="骨质疏松性骨折规范化诊疗进展学习班",
        subject="临床外科学-骨外科学",
        audience="北京地区二级以上医院骨科医师",
        enrollment=120,
        out_of_province_pct=0,
        grassroots_pct=30,
        peer_review=PEER_REVIEW.format(field="骨外科"),
        achievements=ACHIEVEMENTS.format(field="骨科"),
    )
    d["lead"]["specialty"] = "骨科"
    d["peer_reviewer"]["unit"] = "北京积水潭医院"
    topics = [
        "骨质疏松性骨折诊疗指南解读",
        "髋部骨折围手术期管理",
        "椎体压缩骨折的评估",
        "骨折后抗骨质疏松治疗",
        "骨密度检测结果判读示范",
        "骨折复位固定演示",
    ]
    for t, topic in zip(d["teachers"], topics, strict=True):
        t["topic"] = topic
    return d


def _nursing() -> dict[str, Any]:
    """北京市级 nursing project: 2 of 6 teachers 主管护师 lecturing theory (33% ≤ 40%)."""
    d = _beijing()
    d.update(
        title="慢性心力衰竭患者护理管理新进展学习班",
        subject="护理学-内科护理学",
        audience="北京地区医院心血管内科护士",
        peer_review=PEER_REVIEW.format(field="心血管护理"),
        achievements=ACHIEVEMENTS.format(field="内科护理"),
    )
    d["lead"].update(title="主任护师", specialty="内科护理", post="护理部主任")
    d["peer_reviewer"].update(title="主任护师")
    titles = ["主任护师", "主管护师", "副主任护师", "主管护师", "副主任护师", "主任护师"]
    topics = [
        "心力衰竭护理指南解读",
        "心衰患者容量管理",
        "心衰患者居家随访",
        "心衰患者用药护理",
        "心衰患者康复训练示范",
        "护理评估演示",
    ]
    for t, title, topic in zip(d["teachers"], titles, topics, strict=True):
        t.update(title=title, topic=topic)
    return d


def _association() -> dict[str, Any]:
    """北京市级 project applied for by a 学会: no unit supplies more than half the teachers."""
    d = _beijing()
    d.update(applicant_unit="北京医学会", unit_type="学（协）会")
    d["peer_reviewer"]["unit"] = "首都医科大学附属北京天坛医院"
    units = [
        "北京大学第三医院",
        "北京大学第三医院",
        "首都医科大学附属北京安贞医院",
        "北京大学人民医院",
        "北京大学第三医院",
        "北京协和医院",
    ]
    for t, unit in zip(d["teachers"], units, strict=True):
        t["unit"] = unit
    return d


def _jjj() -> dict[str, Any]:
    """北京市级 京津冀互认 project with 150 enrolled."""
    d = _beijing()
    d.update(jjj=True, enrollment=150)
    return d


def _remote() -> dict[str, Any]:
    """国家级 remote project: 9 hours, 3 credits."""
    d = copy.deepcopy(NATIONAL)
    d.update(
        mode="远程",
        title="急性心肌梗死规范化诊疗进展远程学习班",
        total_hours=9,
        theory_hours=9,
        practice_hours=0,
        credits=3,
        enrollment=800,
        events=[{"start": "2026-03-01", "end": "2026-10-31", "days": None, "venue": "线上（远程教育平台）"}],
    )
    d["teachers"] = d["teachers"][:3]
    return d


VARIANTS = {
    "national": lambda: copy.deepcopy(NATIONAL),
    "beijing": _beijing,
    "nursing": _nursing,
    "association": _association,
    "jjj": _jjj,
    "remote": _remote,
}


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path ("lead.title", "teachers.2.hours") in a form dict; "teachers.+" appends."""
    parts = path.split(".")
    obj: Any = data
    for part in parts[:-1]:
        obj = obj[int(part)] if isinstance(obj, list) else obj.setdefault(part, {})
    last = parts[-1]
    if isinstance(obj, list):
        if last == "+":
            obj.append(value)
        else:
            obj[int(last)] = value
    else:
        obj[last] = value


def form_dict(variant: str = "national", patch: dict[str, Any] | None = None) -> dict[str, Any]:
    """A variant's clean form dict with a dotted-path patch applied."""
    d = VARIANTS[variant]()
    for path, value in (patch or {}).items():
        set_path(d, path, value)
    return d


def make(variant: str = "national", patch: dict[str, Any] | None = None) -> Form:
    """A clean form of a variant with a dotted-path patch applied."""
    return Form.model_validate(form_dict(variant, patch))


def clean_form(level: str = "国家级", **overrides: Any) -> Form:
    """A clean form at a level; overrides are top-level keys, or nested with "__" (lead__title="主治医师")."""
    variant = "national" if level == "国家级" else "beijing"
    return make(variant, {k.replace("__", "."): v for k, v in overrides.items()})


def beijing_form(**overrides: Any) -> Form:
    """Clean 北京市级 form."""
    return clean_form("北京市级", **overrides)


def nursing_form(**patch: Any) -> Form:
    """Clean 北京市级 nursing form."""
    return make("nursing", {k.replace("__", "."): v for k, v in patch.items()})


def association_form(**patch: Any) -> Form:
    """Clean 北京市级 学会 form."""
    return make("association", {k.replace("__", "."): v for k, v in patch.items()})


def jjj_form(**patch: Any) -> Form:
    """Clean 京津冀互认 form."""
    return make("jjj", {k.replace("__", "."): v for k, v in patch.items()})


def remote_form(**patch: Any) -> Form:
    """Clean 国家级 remote form."""
    return make("remote", {k.replace("__", "."): v for k, v in patch.items()})
