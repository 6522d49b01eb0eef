import datetime as dt

from mingjing.domain.text import cn_date


def test_cn_date_has_no_leading_zeros() -> None:
    assert cn_date(dt.date(2025, 1, 5)) == "2025年1月5日"
    assert cn_date(None, "（未定）") == "（未定）"


def test_a_short_statement_is_never_cut_inside_a_phrase() -> None:
    from mingjing.domain.text import short_statement

    assert short_statement("窗口答复群众咨询不耐心。态度生硬。") == "窗口答复群众咨询不耐心"
    item = (
        "对上级决策部署和工作要求，不认真研究、抓好落实，而是消极应付、敷衍塞责，"
        "甚至打折扣、搞变通，做表面文章"
    )
    said = short_statement(item)
    assert "…" not in said and item.startswith(said) and len(said) <= 40
    assert said.endswith("敷衍塞责")
    long_clause = "县" * 50
    assert short_statement(long_clause) == long_clause  # no pause to cut at: whole
