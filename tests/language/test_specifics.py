"""Complaint specifics: what / where / since / duration / repeated."""

from __future__ import annotations

import pytest

from agent.understand.specifics import extract_specifics


@pytest.mark.parametrize(
    ("text", "what", "where"),
    [
        ("3号楼电梯又坏了,我妈被困在里面", "电梯困人", "3号楼电梯"),
        ("从上周开始地下车库的灯就不亮", "照明故障", "地下车库"),
        ("樓道裡聞到煤氣味", "燃气泄漏隐患", "楼道"),
        ("5栋2单元门禁坏了一个多月了", "门禁故障", "5栋2单元"),
        ("物业费凭什么涨价", "物业费调价", None),
        ("小区垃圾好几天没人清", "垃圾清运", None),
        ("楼道里堆满了杂物,消防通道都堵了", "杂物占道", "楼道"),
        ("今天天气不错", None, None),
    ],
)
def test_what_and_where(text: str, what: str | None, where: str | None) -> None:
    spec = extract_specifics(text)
    assert (spec.what, spec.where) == (what, where)


def test_since_duration_repeated() -> None:
    spec = extract_specifics("楼上漏水三天了,这是第三次了")
    assert (spec.duration, spec.repeated) == ("三天", True)
    spec = extract_specifics("从上周开始就没人管")
    assert (spec.since, spec.duration, spec.repeated) == ("上周", None, False)
    assert extract_specifics("门禁卡又坏了").repeated
    assert extract_specifics("一个多月了还没修").duration == "一个多月"


def test_placeholders_never_come_back() -> None:
    spec = extract_specifics("我住〔房号1〕,〔姓名1〕家楼上漏水")
    assert "〔" not in (spec.where or "") + (spec.what or "")
    assert extract_specifics("").what is None


def test_leak_that_collapsed_the_ceiling_is_named_as_the_leak():
    from agent.understand.specifics import extract_specifics

    assert extract_specifics("楼上漏水把我家吊顶泡塌了").what == "楼上漏水"
    assert extract_specifics("卫生间天花板塌了一块").what == "吊顶脱落"


def test_hong_kong_management_fee_is_the_property_fee():
    from agent.understand.specifics import extract_specifics

    assert extract_specifics("管理費一直漲，服務卻越來越差").what == "物业费调价"
