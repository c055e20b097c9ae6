"""cme-review: 继续医学教育推荐项目申报书预审 (review of Chinese CME project application forms)."""

__version__ = "0.1.0"
