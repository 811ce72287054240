"""The trained message classifier: training, storage, per-clause findings with verbatim excerpts and
verified citations, the same findings for Traditional, full-width and English twins, the sentence
embeddings it reads beside character n-grams, and the rules-only fallback when the index holds no
model or cannot give it its embedder."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.config import get_settings
from bot.language import to_traditional
from bot.tools.checker import CODES, check_message
from ingest.classifiers.clause_vectors import ClauseVectors
from ingest.classifiers.message_model import (
    CASES_PATH,
    MODEL_FILE,
    Example,
    MissingEmbeddingsError,
    clause_spans,
    load,
    save,
    serving_model,
    train,
    training_units,
    with_embeddings,
)
from ingest.classifiers.message_training import (
    LAWFUL_MARGIN,
    DevItem,
    choose_thresholds,
    inhouse_examples,
    project_examples,
    train_message_model,
    url_folds,
    written_examples,
)
from ingest.normalize import normalize_message
from ingest.realworld import Message
from ingest.settings import IngestSettings

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"

FIXTURE = [
    Example("再不还钱就让你全家好看", ("threat",)),
    Example("小心你的家人出事", ("threat",)),
    Example("你等着，找人收拾你", ("threat",)),
    Example("我们会把你欠钱的事告诉你所有同事", ("third_party_disclosure",)),
    Example("你的欠款信息会发到你家族群", ("third_party_disclosure",)),
    Example("您的账单已逾期，请尽快还款。", ()),
    Example("如有困难可申请分期还款。", ()),
    Example("本期应还1200元，请按时还款。", ()),
]


@pytest.fixture(scope="module")
def embeddings():
    """The index's embedder (USE, offline), remembering what it embedded across this module's trainings."""
    from ingest.embeddings import USEEmbeddings

    return ClauseVectors(USEEmbeddings(threads=1))


@pytest.fixture(scope="module")
def model(embeddings):
    """The model ingest trains: real train split plus in-house cases, thresholds from dev."""
    return train_message_model(KNOWLEDGE, embeddings)


def test_normalisation_makes_traditional_fullwidth_and_case_one_form():
    assert normalize_message("還錢") == normalize_message("还钱")
    assert normalize_message("ＰＡＹ　１００") == "pay 100"
    assert len(normalize_message("ＡＢＣ，還款！")) == len("ＡＢＣ，還款！")


def test_clauses_split_on_sentence_punctuation_and_line_breaks():
    text = "您好。再不还钱！\n就去你家；Pay now. 3.5% fee"
    pieces = [text[s:e].strip() for s, e in clause_spans(text)]
    assert pieces == ["您好。", "再不还钱！", "就去你家；", "Pay now.", "3.5% fee"]


def test_training_on_a_small_fixture_learns_its_codes(tmp_path):
    trained = train(FIXTURE, CODES)
    assert set(trained.classifiers) >= {"threat", "third_party_disclosure"}
    assert "insult" not in trained.classifiers          # no example: no classifier
    scores = trained.message_scores("您的账单已逾期，请尽快还款。再不还钱就让你全家好看")
    assert scores["threat"].score > scores["third_party_disclosure"].score
    # The finding points at the clause that triggered it, not the whole message.
    assert scores["threat"].span == (14, 25)
    save(trained, tmp_path)
    again = load(tmp_path)
    assert again is not None and again.thresholds == trained.thresholds
    assert json.loads((tmp_path / "message_model.json").read_text(encoding="utf-8"))["train_messages"] == len(FIXTURE)


def test_model_third_party_findings_need_someone_besides_the_reader(corpus):
    """Trained where debt words mark disclosures, the model scores a plain reminder to the debtor as one;
    the checker reports it only when the message speaks of someone else."""
    trained = train([Example("他欠钱不还", ("third_party_disclosure",)), Example("你朋友欠钱了", ("third_party_disclosure",)),
                     Example("请按时还款", ())], CODES)
    trained.thresholds = {code: 0.5 for code in trained.thresholds}
    reminder = "欠钱不还"
    assert "third_party_disclosure" in {s.code for s in trained.predict(reminder)}
    assert check_message(reminder, corpus, model=trained).lawful
    someone = "他最近欠钱不还"
    assert check_message(someone, corpus, model=None).lawful                  # the rules alone see nothing
    assert "third_party_disclosure" in check_message(someone, corpus, model=trained).codes


def test_sentence_embeddings_carry_meaning_to_wordings_that_share_no_character(embeddings):
    """Trained on Chinese alone, the model tells an English threat from an English reminder through
    the sentence embeddings only: neither shares a character with the training texts."""
    threat, reminder = "we will hurt your family", "please repay your bill on time"
    ngrams_only = train(FIXTURE, CODES).scores([threat, reminder])["threat"]
    assert ngrams_only[0] == ngrams_only[1]           # no n-gram in common with the training texts
    scores = train(FIXTURE, CODES, embeddings=embeddings).scores([threat, reminder])["threat"]
    assert scores[0] > scores[1]


def test_the_embedder_is_not_stored_and_must_match_the_training_one(embeddings, tmp_path):
    trained = train(FIXTURE, CODES, embeddings=embeddings)
    assert trained.info["embedding_model_id"] == embeddings.model_id
    save(trained, tmp_path)
    again = load(tmp_path)
    assert again.embedding_classifiers and again.embeddings is None
    with pytest.raises(MissingEmbeddingsError):
        again.message_scores("再不还钱就让你全家好看")
    settings = IngestSettings(data_dir=tmp_path)
    attached = with_embeddings(again, settings)
    assert attached is not None and attached.embeddings.model_id == embeddings.model_id
    assert attached.message_scores("再不还钱就让你全家好看")["threat"].score == pytest.approx(
        trained.message_scores("再不还钱就让你全家好看")["threat"].score, abs=1e-4)
    # Trained with another embedder than the settings give: unused, the rules answer alone.
    again.info["embedding_model_id"] = "another-embedder"
    assert with_embeddings(again, settings) is None


def test_clauses_of_unlawful_messages_are_units_only_with_rule_evidence():
    lawful = Example("您的账单已逾期。请尽快还款。", ())
    unlawful = Example("您好。再不还钱就告诉你所有同事你欠钱不还。", ("third_party_disclosure", "threat"))
    texts, labels = training_units([lawful, unlawful])
    units = dict(zip(texts, labels))
    assert units[normalize_message("您的账单已逾期。")] == ()            # a lawful message's clause: lawful
    assert units[normalize_message(unlawful.text)] == unlawful.codes    # the whole message: its gold codes
    # The clause the rules find disclosure in inherits that code only; the greeting is no unit at all.
    assert units[normalize_message("再不还钱就告诉你所有同事你欠钱不还。")] == ("third_party_disclosure",)
    assert normalize_message("您好。") not in units


def test_written_messages_are_training_data_once_each():
    written = written_examples()
    assert any(ex.codes for ex in written) and any(not ex.codes for ex in written)
    texts = [ex.text for ex in project_examples()]
    assert len(texts) == len(set(texts))
    assert len(texts) > len(inhouse_examples())


def test_folds_keep_each_source_page_whole():
    pages = [f"https://example.org/{i % 7}" for i in range(30)]
    messages = [Message(f"m{i}", "text", url, "train", (), "zh-Hans", "sms", "borrower") for i, url in enumerate(pages)]
    folds = url_folds(messages, 5)
    assert len(folds) == 5 and sorted(i for fold in folds for i in fold) == list(range(30))
    for fold in folds:
        held_pages = {pages[i] for i in fold}
        assert all(pages[i] not in held_pages for other in folds if other is not fold for i in other)


def _item(codes, score):
    return DevItem(frozenset(codes), frozenset(), {"threat": score, "_unlawful": score})


def test_thresholds_keep_a_margin_below_lawful_scores_and_weigh_wrong_codes():
    unlawful = [_item(["threat"], s) for s in (0.95, 0.9, 0.8, 0.7, 0.6)]
    lawful = [_item([], 0.5)] + [_item([], 0.1)] * 39       # 2 % of 40: no lawful message may be flagged
    thresholds = choose_thresholds(unlawful + lawful, ["threat", "_unlawful"])
    # 0.55 would find every threat and flag no lawful message, but the lawful 0.5 is within the margin.
    assert thresholds["threat"] > 0.5 + LAWFUL_MARGIN
    assert thresholds["threat"] <= 0.5 + LAWFUL_MARGIN + 0.05     # the next grid step, no higher
    # A code that only ever lands on messages gold-labelled otherwise never fires.
    wrong = [DevItem(frozenset({"insult"}), frozenset(), {"threat": 0.9, "insult": 0.0}) for _ in range(5)]
    assert choose_thresholds(wrong + lawful, ["threat"])["threat"] > 1


def test_no_threshold_below_even_odds():
    """A rare code whose few held-out examples score low gets no low threshold, however free it looks."""
    unlawful = [_item(["threat"], s) for s in (0.45, 0.4, 0.35)]
    lawful = [_item([], 0.05)] * 40
    assert choose_thresholds(unlawful + lawful, ["threat", "_unlawful"])["threat"] >= 0.5


def test_a_missing_or_foreign_model_file_means_no_model(tmp_path):
    assert load(tmp_path) is None
    (tmp_path / MODEL_FILE).write_bytes(b"not a pickle")
    assert load(tmp_path) is None
    assert serving_model(tmp_path / "nothing-here") is None


def test_ingest_training_reads_train_and_dev_only(model):
    assert model.info["realworld_train"] > 0 and model.info["dev_messages"] > 0
    assert model.info["threshold_source"] == "out-of-fold+dev"
    assert model.info["threshold_messages"] > model.info["dev_messages"]
    assert set(model.thresholds) >= set(model.classifiers) - {"_unlawful"}


def test_model_finds_what_the_rules_miss_with_clause_excerpt_and_verified_citations(model, corpus, check_citations):
    # A wording no rule holds, inside an ordinary reminder.
    text = "您的账单已逾期。我们会把你欠债的事情发到你家族群里，让亲戚都看看。请尽快还款。"
    rules_only = check_message(text, corpus, model=None)
    result = check_message(text, corpus, model=model)
    assert result.codes >= rules_only.codes and not result.lawful
    for finding in result.findings:
        assert finding.excerpt in text                    # verbatim clause of the message
        assert finding.citations
        check_citations(finding.citations, result.render())
    assert any(f.source == "model" for f in result.findings) or rules_only.findings


CASE_TEXTS = [c["text"] for c in yaml.safe_load(CASES_PATH.read_text(encoding="utf-8"))["cases"]]


@pytest.mark.parametrize("text", CASE_TEXTS[::3])
def test_traditional_twin_gives_the_same_findings(text, model, corpus):
    twin = to_traditional(text)
    assert check_message(twin, corpus, model=model).codes == check_message(text, corpus, model=model).codes


def test_fullwidth_input_gives_the_same_findings(model, corpus):
    text = "他们凌晨2点打电话，说要去我单位找我领导。"
    wide = text.replace("2", "２")
    assert check_message(wide, corpus, model=model).codes == check_message(text, corpus, model=model).codes
    english = "They said they will break your legs and hurt your family."
    wide_english = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in english)
    codes = check_message(english, corpus, model=model).codes
    assert "threat" in codes
    assert check_message(wide_english, corpus, model=model).codes == codes


def test_english_lawful_reminder_stays_lawful(model, corpus):
    assert check_message("Your payment of 500 yuan is overdue. Please repay through the official app.",
                         corpus, model=model).lawful


def test_without_a_model_the_rules_answer_and_say_nothing_wrong(corpus, tmp_path, monkeypatch):
    # An index folder from before the model existed: CURRENT points at it, no model file inside.
    (tmp_path / "indexes" / "v1").mkdir(parents=True)
    (tmp_path / "CURRENT").write_text(json.dumps({"index_dir": "indexes/v1"}), encoding="utf-8")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert serving_model(tmp_path) is None
    result = check_message("你这个老赖，爆你通讯录", corpus)
    assert result.codes == {"insult", "third_party_disclosure"}
    assert all(f.source == "rule" for f in result.findings)
    assert "model" not in result.render().lower()


def test_ingest_stores_the_model_with_the_index_and_the_checker_loads_it(built_index, corpus, monkeypatch):
    data_dir = Path(built_index.data_dir)
    current = json.loads((data_dir / "CURRENT").read_text(encoding="utf-8"))
    index_dir = data_dir / current["index_dir"]
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["message_model"]["trained"] and (index_dir / MODEL_FILE).exists()
    assert manifest["message_model"]["threshold_source"] == "out-of-fold+dev"
    model = serving_model(data_dir)
    assert model is not None and serving_model(data_dir) is model          # loaded once
    assert model.embedding_classifiers and model.embeddings is not None      # with the index's embedder
    text = "我们会把你欠债的事情发到你家族群里"
    assert not check_message(text, corpus, model=model).lawful
    # By default the checker uses the model of the index DATA_DIR names (settings are read once
    # per process: clear them so the new DATA_DIR counts).
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    for text in ("让你和家人一起躺进棺材", "您的朋友周某有筆待還款，煩請轉達。", "请按时还款"):
        assert check_message(text, corpus).to_json() == check_message(text, corpus, model=model).to_json()


@pytest.mark.slow
def test_real_test_split_figures(model, corpus):
    """Figures on the held-out test split (rules and thresholds were chosen on train and dev).
    These are the levels actually reached, below the project's targets (recall 90 %, right code
    85 %, flagged 2 %); the model must still add to the rules and flag no lawful message of its own."""
    from bot.message_eval import realworld_items, score

    items = realworld_items(KNOWLEDGE, "test")
    with_model, rules = score(items, corpus, model), score(items, corpus, None)
    assert with_model["unlawful_recall"] >= 0.56 and with_model["unlawful_recall"] > rules["unlawful_recall"]
    assert with_model["right_code"] >= 0.49 and with_model["right_code"] > rules["right_code"]
    assert with_model["exact_set"] >= 0.29
    # 6 of 106 lawful messages, all flagged by the rules alone; the model adds none.
    assert with_model["lawful_flagged"] <= 0.07 and with_model["lawful_flagged"] <= rules["lawful_flagged"]


def test_message_eval_reports_both_sets_as_markdown_and_json(corpus, capsys):
    from bot.message_eval import main, markdown, run

    report = run(corpus, KNOWLEDGE, None, split="dev")
    assert set(report["sets"]) == {"realworld", "inhouse"}
    dev = report["sets"]["realworld"]["rules"]
    assert dev["unlawful"] + dev["lawful"] == dev["messages"] > 0
    assert set(dev["per_code"]) == set(CODES)
    assert "Lawful messages flagged" in markdown(report) and "rules alone" in markdown(report)
    assert main(["--split", "dev", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["split"] == "dev"


def test_cross_validation_holds_out_whole_pages_and_never_reads_test(corpus, monkeypatch):
    from bot import message_eval
    from ingest.classifiers import message_training
    from ingest.realworld import load_messages

    fitted = []

    def fit(train_msgs, dev, others, embeddings=None):
        fitted.append({m.url for m in train_msgs + dev})
        assert {m.split for m in train_msgs} <= {"train"} and {m.split for m in dev} <= {"dev"}
        return None                                   # rules only: the test checks the folds, not the model

    monkeypatch.setattr(message_training, "fit_message_model", fit)
    report = message_eval.cross_validate(corpus, KNOWLEDGE, folds=3)
    real = [m for m in load_messages(KNOWLEDGE, splits=("train", "dev")) if not m.augmented]
    by_id = {m.id: m for m in real}
    assert len(fitted) == 3 and report["sets"]["realworld"]["rules"]["messages"] == len(real)
    assert report["sets"]["realworld"]["model"]["unlawful_recall"] == 0     # no model: the model alone finds nothing
    held_ids = [x["id"] for x in report["sets"]["realworld"]["rules"]["misses"]]
    assert all(i in by_id for i in held_ids)          # no test item is ever scored
    # Every page was held out by exactly one fold, i.e. missing from exactly one training set.
    for url in {m.url for m in real}:
        assert sum(url not in seen for seen in fitted) == 1
