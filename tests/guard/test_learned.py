"""The learned layer (agent/guard/learned.py, built by agent/guard/train.py): reproducible training
from data in the repo, thresholds calibrated on dev and above our own drafter's wording, reviewed
clean texts remembered, sentence spans with the nearest labelled example as the explanation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from agent.guard.learned import LearnedModel, load_model
from agent.guard.text import prepare
from agent.guard.train import ROOT, data_digest, train

BLAME = ["这都是您自己没关好窗户造成的,损失您自己承担。", "是您家装修时把管子弄坏的,费用只能您出。",
         "漏水是因为您自己改了水管,跟我们没有关系。", "您当时没及时报修,现在泡坏了只能怪您自己。",
         "这是您家孩子弄坏的,维修费得您来付。", "问题出在您自己私接的线路上,责任在您。"]
CLEAN = ["师傅今天下午三点上门查看,处理完我给您回电话。", "您反映的漏水我已登记,工程部王主管一小时内联系您。",
         "谢谢您告诉我们,楼道灯今晚八点前修好,我会再回访。", "真对不起让您久等了,维修师傅已经在路上了。",
         "我们先把漏点堵上,明天上午再来彻底修好,您看可以吗?", "请问漏水是从天花板还是墙角渗下来的?"]
REVIEWED = "您当时没在家,师傅进不去,所以我们改约了明天上午十点,您看行吗?"


def _rows(texts: list[str], labels: list[str], prefix: str) -> str:
    return "".join(json.dumps({"id": f"{prefix}{i}", "stage": "act", "text": t, "expected": labels},
                              ensure_ascii=False) + "\n" for i, t in enumerate(texts))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A tiny repository layout: labelled train file, reviewed near-misses, dev split, corpus, policy."""
    root = tmp_path_factory.mktemp("tiny")
    shutil.copytree(ROOT / "guardrails", root / "guardrails")
    (root / "corpus").mkdir()
    (root / "corpus" / "x.yaml").write_text("- id: x\n  phrasings: ['师傅明天上午十点上门,到之前先给您打电话。']\n",
                                            encoding="utf-8")
    (root / "evals").mkdir()
    (root / "evals" / "train.jsonl").write_text(_rows(BLAME * 3, ["blaming"], "b") + _rows(CLEAN * 3, [], "c"),
                                               encoding="utf-8")
    (root / "tests" / "guard" / "data").mkdir(parents=True)
    (root / "tests" / "guard" / "data" / "phrasings.jsonl").write_text(_rows([REVIEWED], [], "p"), encoding="utf-8")
    (root / "evals" / "dev.jsonl").write_text(_rows(BLAME[:3], ["blaming"], "db") + _rows(CLEAN[:3], [], "dc"),
                                             encoding="utf-8")
    return root


def _train(root: Path, out: Path) -> dict:
    return train(root, root / "guardrails", out, "evals/dev.jsonl",
                 ("evals/train.jsonl", "tests/guard/data/phrasings.jsonl"), fit_options={"epochs": 80})


def test_training_is_reproducible_and_thresholds_respect_our_own_wording(tiny, tmp_path):
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    meta = _train(tiny, a)
    _train(tiny, b)
    with np.load(a) as x, np.load(b) as y:
        assert np.array_equal(x["weights"], y["weights"]) and np.array_equal(x["thresholds"], y["thresholds"])
    assert meta["data_digest"] == data_digest(tiny, tiny / "guardrails", ("evals/train.jsonl",
                                              "tests/guard/data/phrasings.jsonl"), "evals/dev.jsonl")
    model = LearnedModel(a)
    for category, floor in meta["must_pass_floor"].items():  # above every score of the corpus phrasing
        assert meta["thresholds"][category] >= min(floor + 0.02, 0.99) - 1e-6
    assert REVIEWED in model._clean_texts  # the reviewed near-miss is remembered in the file


def test_a_hit_is_the_sentence_with_the_nearest_labelled_example(tiny, tmp_path):
    meta = _train(tiny, tmp_path / "m.npz")
    model = LearnedModel(tmp_path / "m.npz")
    text = "您好,收到您的反馈。这次漏水是您自己把水管改坏的,费用只能您来出。"
    scores = model.score(text)
    assert scores["blaming"] > scores["overpromising"]
    threshold = meta["thresholds"]["blaming"]  # calibrated on the six-row dev split: it separates it
    assert all(model.score(t)["blaming"] >= threshold for t in BLAME[:3])
    assert all(model.score(t)["blaming"] < threshold for t in CLEAN[:3])
    model.thresholds[model.categories.index("blaming")] = 0.5
    assert scores["blaming"] >= 0.5
    (hit,) = model.hits(prepare(text), frozenset({"blaming"}))
    assert text[hit.start:hit.end].startswith("这次漏水是您自己") and hit.example_id.startswith("evals/train.jsonl:b")
    assert hit.similarity > 0.2


def test_reviewed_clean_texts_are_remembered_not_re_guessed(tiny, tmp_path):
    _train(tiny, tmp_path / "m.npz")
    model = LearnedModel(tmp_path / "m.npz")
    assert model.reviewed_clean(prepare(REVIEWED).norm)
    assert model.reviewed_clean(prepare(REVIEWED.replace("十点", "九点")).norm)  # a few characters apart
    assert not model.reviewed_clean(prepare("您当时没在家,这次的损失只能您自己承担。").norm)  # new wording: the classifier decides
    model._clean_texts = []
    model._clean = None
    assert not model.reviewed_clean(prepare(REVIEWED).norm)


def test_the_shipped_model_is_built_from_the_repositorys_data():
    """Change a training file, the dev split, the policy or the corpus without `wuye guard train`
    and this fails: the file in the repo must be what the command builds from the repo."""
    model = load_model(ROOT / "guardrails")
    assert model is not None
    assert model.meta["data_digest"] == data_digest(), "guardrails/learned.npz is stale: run `wuye guard train`"
    assert "test.jsonl" not in json.dumps(model.meta)  # the test split is never read


def test_a_letters_formulas_are_not_judged_but_its_sentences_are():
    from agent.guard.learned import windows

    letter = "尊敬的陈女士：\n您好！您家漏水是您自己没关窗造成的。\n此致\n敬礼\n翠湖苑物业服务中心\n2026年12月7日"
    prep = prepare(letter)
    judged = [prep.norm[s:e].strip() for s, e in windows(prep)]
    assert not any(w.startswith(("尊敬的", "此致", "敬礼", "翠湖苑", "2026")) for w in judged), judged
    assert any("您自己没关窗" in w for w in judged)
    for line in ("尊敬的业主，您家漏水是您自己造成的", "请您去找物业公司"):  # content, not a formula
        one = prepare(line)
        assert (0, len(one.norm)) in windows(one)


def test_clearing_the_owner_is_not_arguing_unless_taken_back():
    from agent.guard.clauses import analyse, excuse

    for text, excused in (("这不是您的错,是我们没有及时清理。", True), ("不怪您,换了谁都会着急。", True),
                          ("这不是您的错,但您也该早点报修。", False), ("您说的不对,这是您自己的问题。", False)):
        prep = prepare(text)
        reason = excuse("arguing", "learned.arguing", analyse(prep), 0, len(prep.norm))
        assert (reason == "clears_the_owner") is excused, text


def test_warm_up_builds_what_a_first_hit_would():
    model = LearnedModel(ROOT / "guardrails" / "learned.npz")
    assert model._clean is None and model._examples is None
    model.warm_up()
    assert model._clean and model._examples


def test_calibration_sets_each_threshold_where_flagging_pays():
    from agent.guard.train import CATEGORIES, calibrate

    rng = np.random.default_rng(0)
    k = CATEGORIES.index("blaming")
    scores = np.zeros((400, len(CATEGORIES)), dtype=np.float32)
    scores[:100, k] = rng.uniform(0.4, 1.0, 100)  # blaming replies
    scores[100:, k] = rng.uniform(0.0, 0.6, 300)  # clean replies, overlapping in 0.4–0.6
    labels = [["blaming"]] * 100 + [[]] * 300
    cheap, dear = calibrate(scores, labels, clean_cost=1.0), calibrate(scores, labels, clean_cost=8.0)
    assert 0.4 < cheap[k] < dear[k] < 0.8  # dearer false alarms: a higher threshold, above every clean score here
    assert (scores[100:, k] >= dear[k]).sum() == 0 < (scores[100:, k] >= cheap[k]).sum()
    assert cheap[CATEGORIES.index("pii_leak")] == 0.99  # no label, no score: never fired by the model


def test_out_of_fold_scores_come_from_models_that_never_saw_the_row_or_its_sentences():
    from agent.guard.train import Example, fold_of, out_of_fold_scores, writers_row_id

    fresh = "evals/guardrails/fresh/train.jsonl"
    rows = [Example(f"{fresh}:r{i}", f"第{i}号回复甲乙丙{chr(0x4e00 + 7 * i)}{chr(0x4e01 + 7 * i)}{chr(0x4e02 + 7 * i)}。", []) for i in range(20)]
    sentences = [Example(f"{e.id}#s0", e.text, [], 0.5) for e in rows]
    ours = [Example("evals/guardrails/labelled.jsonl:x", "这都是您自己造成的。", ["blaming"])]
    assert writers_row_id(sentences[3].id) == "r3" and writers_row_id(ours[0].id) is None
    seen: list[set[str]] = []

    def scorer(vocab, weights, bias):
        seen.append(set(vocab))
        return LearnedModel(ROOT / "guardrails" / "learned.npz")

    scores, labels = out_of_fold_scores(rows + sentences + ours, scorer, {"epochs": 2, "min_df": 1}, folds=4)
    assert scores.shape[0] == len(labels) == len(rows) and len(seen) == len({fold_of(f"r{i}", 4) for i in range(20)})
    own = [prepare(e.text).norm[-4:-1] for e in rows]  # each row's own trigram
    assert len(set(own)) == len(rows)
    missing = [sum(gram not in vocab for vocab in seen) for gram in own]  # absent from exactly one fold model: its own
    assert missing == [1] * 20


def test_a_model_file_names_its_features_and_is_read_with_them(tmp_path):
    from agent.guard.learned import CHARS, CHARS4, CHARS_WORDS, features
    from agent.guard.train import Example, fit, model_arrays

    norm = prepare("这是您自己没关好窗户造成的。").norm
    chars = set(features(norm))
    assert chars == set(features(norm, CHARS)) and all(len(g) <= 3 for g in chars)
    assert chars < set(features(norm, CHARS4)) and "您自己没" in features(norm, CHARS4)
    words = set(features(norm, CHARS_WORDS)) - chars
    assert "\x01w:自己" in words and any("|" in g for g in words)  # word unigrams and bigrams
    examples = [Example(f"e{i}", t, ["blaming"] if i < 6 else []) for i, t in enumerate(BLAME + CLEAN)]
    for feature_set in (CHARS, CHARS_WORDS):
        path = tmp_path / "m.npz"
        np.savez_compressed(path, **model_arrays(*fit(examples, epochs=60, min_df=1, feature_set=feature_set), [], [], {},
                                                 feature_set))
        model = LearnedModel(path)
        assert model.feature_set == feature_set
        assert any(g.startswith("\x01w:") for g in model.vocab) is (feature_set == CHARS_WORDS)
        assert model.score(BLAME[0])["blaming"] > model.score(CLEAN[0])["blaming"]


def test_long_features_need_their_own_document_frequency():
    from agent.guard.learned import CHARS4
    from agent.guard.train import Example, fit

    examples = [Example(f"e{i}", "您自己弄坏的" if i < 3 else f"师傅{i}点到", ["blaming"] if i < 3 else []) for i in range(6)]
    vocab, _, _ = fit(examples, epochs=1, min_df=1, feature_set=CHARS4, min_df_long=4)
    assert "您自己" in vocab and not any(len(g) == 4 for g in vocab)  # three copies: below the 4-gram minimum
    vocab, _, _ = fit(examples, epochs=1, min_df=1, feature_set=CHARS4, min_df_long=3)
    assert "您自己弄" in vocab


def test_pair_windows_of_labelled_replies_are_optional_examples(tiny):
    from agent.guard.train import load_training

    reply = "您好,收到。这是您自己没关窗造成的。费用您来出。我们不负责。"
    (tiny / "evals" / "pairs.jsonl").write_text(_rows([reply], ["blaming"], "x"), encoding="utf-8")
    plain = load_training(tiny, tiny / "guardrails", ("evals/pairs.jsonl",))
    pairs = [e for e in load_training(tiny, tiny / "guardrails", ("evals/pairs.jsonl",), pair_weight=0.5)
             if e.id.startswith("evals/pairs.jsonl:x0#sp")]
    assert not [e for e in plain if "#sp" in e.id]
    assert [e.text for e in pairs] == ["您好,收到。这是您自己没关窗造成的。", "这是您自己没关窗造成的。费用您来出。", "费用您来出。我们不负责。"]
    assert all(e.labels == ["blaming"] and e.weight == 0.5 for e in pairs)
