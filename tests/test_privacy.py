"""Masking of personal data before anything goes to a model."""

from __future__ import annotations

import pytest

from review.form import Form, Lead
from review.privacy import mask_address, mask_form, mask_text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("身份证号：110105197503151234", "身份证号：110105********1234"),
        ("11010519750315123X", "110105********123X"),
        ("手机13812345678", "手机138****5678"),
        ("电话 138-1234-5678。", "电话 138****5678。"),
        ("座机010-12345678", "座机010-****5678"),
        ("0755 87654321", "0755 ****4321"),
        ("通讯地址：北京市海淀区学院路38号", "通讯地址：北京市海淀区****"),
        ("联系我们：北京市西城区西直门南大街2号成铭大厦", "联系我们：北京市西城区****成铭大厦"),
        ("举办地点为北京市海淀区", "举办地点为北京市海淀区"),
        ("共招收120人，学分3分，2025-05-10举办", "共招收120人，学分3分，2025-05-10举办"),
        ("项目编号2025-03-01-002", "项目编号2025-03-01-002"),
    ],
)
def test_mask_text(raw, masked):
    assert mask_text(raw) == masked


def test_mask_address_keeps_district_not_autonomous_region():
    assert mask_address("新疆维吾尔自治区乌鲁木齐市天山区解放路1号") == "新疆维吾尔自治区乌鲁木齐市天山区****"
    assert mask_address("河北省保定市莲池路5号") == "河北省保定市****"


def test_mask_form_masks_personal_fields_and_keeps_the_rest():
    form = Form(
        title="心血管病新进展",
        credits=3,
        lead_phone="13812345678",
        unit_phone="010-12345678",
        lead_address="北京市海淀区学院路38号3号楼",
        lead=Lead(name="张三", id_number="110105197503151234", title="主任医师"),
        peer_review="联系电话13900001111，地址：北京市东城区东单北大街1号",
    )
    masked = mask_form(form)
    assert masked.lead.id_number == "110105********1234"
    assert masked.lead_phone == "138****5678" and masked.unit_phone == "010-****5678"
    assert masked.lead_address == "北京市海淀区****"
    assert "13900001111" not in masked.peer_review and "东单北大街" not in masked.peer_review
    assert masked.title == form.title and masked.credits == 3 and masked.lead.title == "主任医师"
    assert form.lead.id_number == "110105197503151234"  # the original is untouched


def test_mask_form_masks_malformed_id_and_phone():
    masked = mask_form(Form(lead=Lead(id_number="11010519750315"), lead_phone="8888 1234 567"))
    assert masked.lead.id_number == "110105****0315"
    assert masked.lead_phone.endswith("4567") and "8888" not in masked.lead_phone
