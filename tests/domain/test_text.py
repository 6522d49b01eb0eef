import datetime as dt

from mingjing.domain.text import cn_date


def test_cn_date_has_no_leading_zeros() -> None:
    assert cn_date(dt.date(2025, 1, 5)) == "2025年1月5日"
    assert cn_date(None, "（未定）") == "（未定）"
