#!/usr/bin/python3
"""Independent golden values for the VQA and POPE scorers of toolkit-eval (org.infllava.eval), written from the
official scripts' rules, not from the Java code:

  vqaeval  VQA soft accuracy as GT-Vision-Lab/VQA PythonEvaluationTools/vqaEvaluation/vqaEval.py (master, after the
           2021 commit "Fixed processing answers bug") computes it;
  evalai   the same accuracy with the EvalAI answer processor, as LLaVA's llava/eval/m4c_evaluator.py
           (TextVQAAccuracyEvaluator) computes it;
  pope     LLaVA's llava/eval/eval_pope.py, per category and overall, with answers matched to labels by question_id
           (the script zips two files by position).

Plain python3, no packages. Regenerate from the repository root:
    /usr/bin/python3 toolkit-eval/src/test/python/score_goldens.py toolkit-eval/src/test/resources/eval
Inputs (committed): vqa/{questions.json, annotations.json, predictions.jsonl}, pope/{pope.jsonl, predictions.jsonl};
every question is answered exactly once, as the official scripts assume. Output: goldens.json.
"""
import json
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."

CONTRACTIONS = {
    'aint': "ain't", 'arent': "aren't", 'cant': "can't", 'couldve': "could've", 'couldnt': "couldn't",
    "couldn'tve": "couldn't've", "couldnt've": "couldn't've", 'didnt': "didn't", 'doesnt': "doesn't",
    'dont': "don't", 'hadnt': "hadn't", "hadnt've": "hadn't've", "hadn'tve": "hadn't've", 'hasnt': "hasn't",
    'havent': "haven't", 'hed': "he'd", "hed've": "he'd've", "he'dve": "he'd've", 'hes': "he's", 'howd': "how'd",
    'howll': "how'll", 'hows': "how's", "Id've": "I'd've", "I'dve": "I'd've", 'Im': "I'm", 'Ive': "I've",
    'isnt': "isn't", 'itd': "it'd", "itd've": "it'd've", "it'dve": "it'd've", 'itll': "it'll", "let's": "let's",
    'maam': "ma'am", 'mightnt': "mightn't", "mightnt've": "mightn't've", "mightn'tve": "mightn't've",
    'mightve': "might've", 'mustnt': "mustn't", 'mustve': "must've", 'neednt': "needn't", 'notve': "not've",
    'oclock': "o'clock", 'oughtnt': "oughtn't", "ow's'at": "'ow's'at", "'ows'at": "'ow's'at",
    "'ow'sat": "'ow's'at", 'shant': "shan't", "shed've": "she'd've", "she'dve": "she'd've", "she's": "she's",
    'shouldve': "should've", 'shouldnt': "shouldn't", "shouldnt've": "shouldn't've", "shouldn'tve": "shouldn't've",
    "somebody'd": 'somebodyd', "somebodyd've": "somebody'd've", "somebody'dve": "somebody'd've",
    'somebodyll': "somebody'll", 'somebodys': "somebody's", 'someoned': "someone'd", "someoned've": "someone'd've",
    "someone'dve": "someone'd've", 'someonell': "someone'll", 'someones': "someone's", 'somethingd': "something'd",
    "somethingd've": "something'd've", "something'dve": "something'd've", 'somethingll': "something'll",
    'thats': "that's", 'thered': "there'd", "thered've": "there'd've", "there'dve": "there'd've",
    'therere': "there're", 'theres': "there's", 'theyd': "they'd", "theyd've": "they'd've",
    "they'dve": "they'd've", 'theyll': "they'll", 'theyre': "they're", 'theyve': "they've", 'twas': "'twas",
    'wasnt': "wasn't", "wed've": "we'd've", "we'dve": "we'd've", 'weve': "we've", 'werent': "weren't",
    'whatll': "what'll", 'whatre': "what're", 'whats': "what's", 'whatve': "what've", 'whens': "when's",
    'whered': "where'd", 'wheres': "where's", 'whereve': "where've", 'whod': "who'd", "whod've": "who'd've",
    "who'dve": "who'd've", 'wholl': "who'll", 'whos': "who's", 'whove': "who've", 'whyll': "why'll",
    'whyre': "why're", 'whys': "why's", 'wont': "won't", 'wouldve': "would've", 'wouldnt': "wouldn't",
    "wouldnt've": "wouldn't've", "wouldn'tve": "wouldn't've", 'yall': "y'all", "yall'll": "y'all'll",
    "y'allll": "y'all'll", "yall'd've": "y'all'd've", "y'alld've": "y'all'd've", "y'all'dve": "y'all'd've",
    'youd': "you'd", "youd've": "you'd've", "you'dve": "you'd've", 'youll': "you'll", 'youre': "you're",
    'youve': "you've",
}
MANUAL_MAP = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
              "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
ARTICLES = ["a", "an", "the"]
PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")
COMMA_STRIP = re.compile(r"(\d)(\,)(\d)")
EVALAI_COMMA_STRIP = re.compile(r"(?<=\d)(\,)+(?=\d)")
PUNCT = [";", r"/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"]


def process_punctuation(in_text, comma_strip=COMMA_STRIP):
    out_text = in_text
    for p in PUNCT:
        if (p + " " in in_text or " " + p in in_text) or (re.search(comma_strip, in_text) is not None):
            out_text = out_text.replace(p, "")
        else:
            out_text = out_text.replace(p, " ")
    # The official code calls PERIOD_STRIP.sub("", out_text, re.UNICODE): re.UNICODE (32) lands in `count`.
    return PERIOD_STRIP.sub("", out_text, count=re.UNICODE)


def process_digit_article(in_text):
    out_text = []
    for word in in_text.lower().split():
        word = MANUAL_MAP.setdefault(word, word)
        if word not in ARTICLES:
            out_text.append(word)
    for word_id, word in enumerate(out_text):
        if word in CONTRACTIONS:
            out_text[word_id] = CONTRACTIONS[word]
    return " ".join(out_text)


def vqaeval_score(gt_answer_dicts, res_ans):
    """The body of VQAEval.evaluate's loop for one question (answer dicts carry their answer_id, as in the files)."""
    gts = [dict(a) for a in gt_answer_dicts]
    for ans_dic in gts:
        ans_dic["answer"] = ans_dic["answer"].replace("\n", " ").replace("\t", " ").strip()
    res_ans = res_ans.replace("\n", " ").replace("\t", " ").strip()
    gt_answers = [ans["answer"] for ans in gts]
    if len(set(gt_answers)) > 1:
        for ans_dic in gts:
            ans_dic["answer"] = process_punctuation(ans_dic["answer"])
            ans_dic["answer"] = process_digit_article(ans_dic["answer"])
        res_ans = process_punctuation(res_ans)
        res_ans = process_digit_article(res_ans)
    gt_acc = []
    for gt_ans_datum in gts:
        other_gt_ans = [item for item in gts if item != gt_ans_datum]
        matching_ans = [item for item in other_gt_ans if item["answer"] == res_ans]
        gt_acc.append(min(1, float(len(matching_ans)) / 3))
    return float(sum(gt_acc)) / len(gt_acc)


def evalai_process(item):
    """EvalAIAnswerProcessor.__call__."""
    item = item.lower().replace(",", "").replace("?", "").replace("'s", " 's").strip()
    item = item.replace("\n", " ").replace("\t", " ").strip()
    item = process_punctuation(item, EVALAI_COMMA_STRIP)
    return process_digit_article(item)


def evalai_score(raw_gt_answers, pred):
    """TextVQAAccuracyEvaluator: the score of the processed prediction among the unique processed human answers."""
    answers = [evalai_process(a) for a in raw_gt_answers]
    gt_answers = list(enumerate(answers))
    scores = {}
    for unique_answer in set(answers):
        accs = []
        for gt_answer in gt_answers:
            other_answers = [item for item in gt_answers if item != gt_answer]
            matching_answers = [item for item in other_answers if item[1] == unique_answer]
            accs.append(min(1, float(len(matching_answers)) / 3))
        scores[unique_answer] = sum(accs) / len(accs)
    return scores.get(evalai_process(pred), 0.0)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def vqa_goldens():
    questions = json.load(open(os.path.join(root, "vqa/questions.json"), encoding="utf-8"))["questions"]
    anns = {a["question_id"]: a for a in
            json.load(open(os.path.join(root, "vqa/annotations.json"), encoding="utf-8"))["annotations"]}
    preds = {p["question_id"]: p["text"] for p in read_jsonl(os.path.join(root, "vqa/predictions.jsonl"))}
    out = {}
    for rules, score in (("vqaeval", lambda a, p: vqaeval_score(a["answers"], p)),
                         ("evalai", lambda a, p: evalai_score([x["answer"] for x in a["answers"]], p))):
        per_q, by_type = {}, {}
        for q in questions:
            a = anns[q["question_id"]]
            s = score(a, preds[q["question_id"]])
            per_q[str(q["question_id"])] = s
            by_type.setdefault(a["answer_type"], []).append(s)
        out[rules] = {"per_question": per_q, "accuracy": float(sum(per_q.values())) / len(per_q),
                      "answer_type": {t: float(sum(v)) / len(v) for t, v in by_type.items()}}
    return out


def eval_pope(answers, label_list):
    """eval_pope.eval_pope, returning the numbers it prints; answers[i] belongs to label_list[i]."""
    pred_list = []
    for answer in answers:
        text = answer["text"]
        if text.find(".") != -1:
            text = text.split(".")[0]
        text = text.replace(",", "")
        words = text.split(" ")
        pred_list.append(0 if ("No" in words or "not" in words or "no" in words) else 1)
    labels = [0 if label == "no" else 1 for label in label_list]
    pos, neg = 1, 0
    yes_ratio = pred_list.count(1) / len(pred_list)
    tp, tn, fp, fn = 0, 0, 0, 0
    for pred, label in zip(pred_list, labels):
        if pred == pos and label == pos:
            tp += 1
        elif pred == pos and label == neg:
            fp += 1
        elif pred == neg and label == neg:
            tn += 1
        elif pred == neg and label == pos:
            fn += 1
    precision = float(tp) / float(tp + fp)
    recall = float(tp) / float(tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    acc = (tp + tn) / (tp + tn + fp + fn)
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "accuracy": acc, "precision": precision, "recall": recall,
            "f1": f1, "yes_ratio": yes_ratio, "said": ["yes" if p else "no" for p in pred_list]}


def pope_goldens():
    rows = read_jsonl(os.path.join(root, "pope/pope.jsonl"))
    preds = {p["question_id"]: p for p in read_jsonl(os.path.join(root, "pope/predictions.jsonl"))}
    overall = eval_pope([preds[r["question_id"]] for r in rows], [r["label"] for r in rows])
    said = dict(zip((str(r["question_id"]) for r in rows), overall.pop("said")))
    cats = {}
    for c in dict.fromkeys(r["category"] for r in rows):
        sub = [r for r in rows if r["category"] == c]
        cats[c] = eval_pope([preds[r["question_id"]] for r in sub], [r["label"] for r in sub])
        cats[c].pop("said")
    return {"overall": overall, "category": cats, "said": said}


goldens = {"vqa": vqa_goldens(), "pope": pope_goldens()}
with open(os.path.join(root, "goldens.json"), "w", encoding="utf-8") as f:
    json.dump(goldens, f, indent=1, sort_keys=False)
    f.write("\n")
print("wrote", os.path.join(root, "goldens.json"))
