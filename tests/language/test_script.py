"""Script detection and conversion (OpenCC)."""

from __future__ import annotations

import pytest

from agent.understand.script import detect_script, detect_variant, to_script, to_simplified, to_traditional
from agent.vocab import Script


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("楼上漏水三天了,物业一直没人来处理", Script.simplified),
        ("樓上漏水三天了,物業一直沒人來處理", Script.traditional),
        ("升降機又壞咗,你哋管理處幾時先整好?", Script.traditional),
        ("部門", Script.traditional),
        ("OK 123", Script.simplified),
        ("", Script.simplified),
        ("你好", Script.simplified),  # no character differs: Simplified by default
    ],
)
def test_detect_script(text: str, script: Script) -> None:
    assert detect_script(text) is script


def test_detect_variant() -> None:
    assert detect_variant("升降機又壞咗,點解冇人理") == "hk"
    assert detect_variant("電梯又壞了,請儘快處理") == "tw"
    assert detect_variant("") == "tw"


def test_conversions() -> None:
    draft = "您反映的3号楼电梯故障,我已经登记,师傅今天下午到现场查看。"
    traditional = to_script(draft, Script.traditional)
    assert "電梯" in traditional and "師傅" in traditional
    assert detect_script(traditional) is Script.traditional
    hk = to_script(draft, Script.traditional, variant="hk")
    assert to_simplified(hk) == draft  # character conversion only: round-trips
    assert to_script(hk, Script.simplified) == draft
    assert to_script(draft, "simplified") == draft
    # Taiwan phrasing vs Hong Kong forms
    assert "資訊" in to_traditional("信息", "tw")
    assert "信息" in to_traditional("信息", "hk")
    assert to_traditional("", "tw") == ""


def test_unknown_script_is_rejected() -> None:
    with pytest.raises(ValueError):
        to_script("文字", "latin")
