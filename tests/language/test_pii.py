"""PII masking: every kind, near-misses that must stay, stable numbering, reversibility."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.understand.pii import has_placeholder, mask_pii, unmask

DATASET = Path(__file__).resolve().parents[2] / "evals" / "drafting" / "complaints.jsonl"


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("电话13812345678找我", "13812345678", "phone"),
        ("手机 138-1234-5678", "138-1234-5678", "phone"),
        ("打 +86 139 1234 5678", "+86 139 1234 5678", "phone"),
        ("座机0755-83216547", "0755-83216547", "phone"),
        ("电话是87654321", "87654321", "phone"),
        ("我的電話0912-345-678", "0912-345-678", "phone"),
        ("電話9123 4567,我要投訴", "9123 4567", "phone"),
        ("身份证440106199001011234", "440106199001011234", "id_card"),
        ("证件 44010619900101123X 在这", "44010619900101123X", "id_card"),
        ("老身份证110101800101123", "110101800101123", "id_card"),
        ("车位被粤B·12345占了", "粤B·12345", "plate"),
        ("京A12345停在消防通道", "京A12345", "plate"),
        ("新能源车粤BD12345", "粤BD12345", "plate"),
        ("車牌ABC-5678被刮", "ABC-5678", "plate"),
        ("邮箱 chen.li@example.com 回复", "chen.li@example.com", "email"),
        ("我叫张伟,楼上漏水", "张伟", "name"),
        ("我是3栋的李女士", "李女士", "name"),
        ("业主王建国反映", "王建国", "name"),
        ("免贵姓陈,住这里", "陈", "name"),
        ("联系人：刘洋", "刘洋", "name"),
        ("我叫張偉,樓上漏水", "張偉", "name"),
        ("住5栋1单元1203", "5栋1单元1203", "room"),
        ("12-3-501的业主", "12-3-501", "room"),
        ("1203室楼上漏水", "1203室", "room"),
        ("楼上1802那家", "1802", "room"),
        ("我住3號樓2單元501", "3號樓2單元501", "room"),
        ("我係第3座18樓C室嘅業主", "第3座18樓C室", "room"),
        ("我住A棟12樓之3", "A棟12樓之3", "room"),
    ],
)
def test_each_kind_is_masked(text: str, value: str, kind: str) -> None:
    masked = mask_pii(text)
    assert value not in masked.text
    assert kind in masked.kinds.values()
    placeholder = next(p for p, v in masked.mapping.items() if v == value)
    assert masked.kinds[placeholder] == kind
    assert unmask(masked.text, masked.mapping) == text


@pytest.mark.parametrize(
    "text",
    [
        "物业热线400-123-4567打不通",
        "95598也打了",
        "我已经打了12345投诉",
        "出事了打110",
        "2024-03-15晚上11点停的水",
        "交了3600元物业费",
        "工单号20240315001还没人处理",
        "工单编号 13800138000 一直没人管",
        "我是高层住户,我是业主",
        "保安师傅态度很差,我和先生都很生气",
        "业主们都很生气,业主向物业反映过很多次",
        "5号楼3楼楼道里有人拉电线",
        "3号楼电梯坏了",
        "电梯坏了三天,等了两个小时",
    ],
)
def test_near_misses_stay(text: str) -> None:
    masked = mask_pii(text)
    assert masked.text == text, masked.mapping


def test_same_value_same_placeholder_and_numbering_per_kind() -> None:
    masked = mask_pii("我叫王建国,电话13812345678,再说一遍13812345678,备用13912345678。王建国")
    assert masked.text.count("〔电话1〕") == 2
    assert "〔电话2〕" in masked.text
    assert masked.text.count("〔姓名1〕") == 2  # the name is masked again without its cue
    assert masked.mapping["〔电话2〕"] == "13912345678"


def test_unmask_tolerates_traditional_placeholders() -> None:
    masked = mask_pii("電話13812345678")
    assert unmask("請撥〔電話1〕", masked.mapping) == "請撥13812345678"
    assert unmask("没有占位符", masked.mapping) == "没有占位符"


def test_empty_and_placeholder_check() -> None:
    assert mask_pii("").text == ""
    assert has_placeholder("请联系〔电话1〕")
    assert not has_placeholder("师傅两点到")


@pytest.mark.skipif(not DATASET.is_file(), reason="evals/drafting/complaints.jsonl not present")
def test_every_labelled_pii_in_the_eval_set_is_masked() -> None:
    for line in DATASET.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        masked = mask_pii(case["text"])
        leaked = [value for value in case.get("pii", []) if value in masked.text]
        assert not leaked, (case["id"], leaked)
        assert unmask(masked.text, masked.mapping) == case["text"]
