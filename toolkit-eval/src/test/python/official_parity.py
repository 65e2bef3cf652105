#!/usr/bin/python3
"""Golden numbers for the toolkit's `official` reading, taken from the official evaluation scripts themselves.

This harness writes generated benchmark files and answer files (seeded, plus hand-picked cases for every rule of
docs/evaluation.md), runs the official scripts on them, and records what they computed in `expected.json`. The
JUnit test org.infllava.eval.OfficialParityTest reads the same files and checks that the toolkit's numbers are
identical. The official scripts are NOT part of this repository: they are read, at regeneration time, from the folder
named by the environment variable OFFICIAL_SCRIPTS, which must hold (file name: repository, path, commit)

  eval_science_qa.py               haotian-liu/LLaVA  llava/eval/eval_science_qa.py              c121f043
  eval_textvqa.py                  haotian-liu/LLaVA  llava/eval/eval_textvqa.py                 c121f043
  m4c_evaluator.py                 haotian-liu/LLaVA  llava/eval/m4c_evaluator.py                c121f043
  eval_pope.py                     haotian-liu/LLaVA  llava/eval/eval_pope.py                    c121f043
  convert_seed_for_submission.py   haotian-liu/LLaVA  scripts/convert_seed_for_submission.py     c121f043
  convert_mmbench_for_submission.py haotian-liu/LLaVA scripts/convert_mmbench_for_submission.py  c121f043
  vqaEval.py                       GT-Vision-Lab/VQA  PythonEvaluationTools/vqaEvaluation/vqaEval.py  a013f004
  vqa.py                           GT-Vision-Lab/VQA  PythonHelperTools/vqaTools/vqa.py          a013f004

Run from the repository root with /usr/bin/python3 (3.11, with pandas, openpyxl and tqdm, which the LLaVA scripts
import):
    OFFICIAL_SCRIPTS=/tmp/official [PYTHON2=/path/to/python2.7] \
        /usr/bin/python3 toolkit-eval/src/test/python/official_parity.py toolkit-eval/src/test/resources/eval/parity

How each script is run:
  * eval_science_qa.py, convert_mmbench_for_submission.py: as programs (runpy, their own argument parsing), on the
    generated files; their output files are read back.
  * convert_seed_for_submission.py, eval_pope.py: as programs; the exact (unrounded) numbers they print rounded are
    read from the locals of their functions when those return (sys.settrace), so nothing is recomputed here.
  * eval_textvqa.py: imported (with m4c_evaluator.py as llava.eval.m4c_evaluator) and eval_single() called; the
    evaluator's eval_pred_list is wrapped to keep its return value and each entry's score, computed by the
    evaluator's own methods.
  * vqaEval.py (with vqa.py for loading) is Python 2 code. It runs here under Python 3 with Python 2's semantics
    emulated, as follows (and, when PYTHON2 names a Python 2.7 interpreter, also under that interpreter unchanged;
    the two must agree, and the Python 2 numbers are the ones recorded):
      - `print x` statements become print(x) calls, and leading tabs are expanded to Python 2's tab stops (the only
        source changes);
      - json.load returns `unicode` in Python 2: every string loaded is a Py2Unicode, a str whose lower(), strip(),
        split() and replace() behave as Python 2.7's unicode methods: lower() maps code point by code point (no final
        sigma; U+0130 to "i"), strip()/split() use Python 2.7's whitespace (Python 3's plus U+180E);
      - re patterns compiled without re.UNICODE are ASCII in Python 2 (\\d is [0-9]): the `re` the script sees
        compiles with re.ASCII, and Pattern.sub keeps the Py2Unicode type;
      - round() is Python 2's (half away from zero on the exact binary value) in the script's namespace.
    Code points whose case mapping postdates Unicode 5.2 (Python 2.7's tables) are not emulated; the generated
    answers avoid them unless PYTHON2 is given, which then checks them too.
"""
import contextlib
import copy
import decimal
import io
import json
import os
import random
import re
import runpy
import shutil
import subprocess
import sys
import tempfile
import types

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
SCRIPTS = os.environ.get("OFFICIAL_SCRIPTS")
PYTHON2 = os.environ.get("PYTHON2")
if not SCRIPTS:
    sys.exit("set OFFICIAL_SCRIPTS to the folder holding the official scripts (see this file's docstring)")
rng = random.Random(17)
expected = {}


def script(name):
    path = os.path.join(SCRIPTS, name)
    if not os.path.exists(path):
        sys.exit("missing " + path)
    return path


def out(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def run_program(path, argv):
    """Runs a script as __main__ with argv; returns what it printed."""
    buf = io.StringIO()
    old = sys.argv
    sys.argv = [path] + argv
    try:
        with contextlib.redirect_stdout(buf):
            runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = old
    return buf.getvalue()


def locals_on_return(func_name, action):
    """Runs action() and returns the locals of every return from a function called func_name."""
    seen = []

    def tracer(frame, event, arg):
        if frame.f_code.co_name != func_name:
            return None

        def local(frame, event, arg):
            if event == "return":
                seen.append(dict(frame.f_locals))
            return local
        return local
    sys.settrace(tracer)
    try:
        action()
    finally:
        sys.settrace(None)
    return seen


# ---------------------------------------------------------------------------------------------------------------
# ScienceQA: eval_science_qa.py
# ---------------------------------------------------------------------------------------------------------------
def scienceqa():
    problems = {}
    test_ids, train_ids = [], []
    subjects = ["natural science", "social science", "language science"]
    n = 0
    for i in range(70):
        pid = str(1000 + i)
        k = rng.choice([2, 2, 3, 4, 5])
        choices = [rng.choice(["cat", "dog", "red", "blue", "Ohio", "Texas", "solid", "liquid", "yes", "no"])
                   + " " + str(j) for j in range(k)]
        image = None if i % 7 == 6 else "image.png"
        split = "train" if i % 13 == 12 else "test"
        problems[pid] = {"question": "Which one %d?" % i, "choices": choices, "answer": rng.randrange(k),
                         "hint": "" if i % 3 else "Look at the picture.", "image": image, "split": split,
                         "subject": subjects[i % 3], "grade": "grade%d" % (1 + i % 12), "category": "c"}
        (test_ids if split == "test" else train_ids).append(pid)
    with open(out("sqa", "problems.json"), "w") as f:
        json.dump(problems, f, indent=1)
    with open(out("sqa", "pid_splits.json"), "w") as f:
        json.dump({"test": test_ids, "train": train_ids}, f)

    def texts(p):
        letters = "ABCDEFGHIJ"[:len(p["choices"])]
        right = letters[p["answer"]]
        wrong = rng.choice([x for x in letters if x != right] or ["Z"])
        pick = rng.choice
        return [right, wrong, right + ". " + p["choices"][p["answer"]], "(" + right + ")", "[" + right + "]",
                right + ": x", "Option " + right, right.lower(), right + " ", p["choices"][p["answer"]],
                "The answer is\n" + right + ".", "The answer is " + right + wrong + ".",
                "The answer is " + right + ".\nBecause the answer is " + wrong + ".",
                "The answer is " + right, "The answer is " + right + ".", "The answer is " + right + "\n",
                "The answer is F.", "E", "The answer is %s. The answer is %s." % (right, right),
                "The answer is %s. the answer is %s." % (right, wrong), "the answer is " + right + ".",
                "", "F", right + ".", right + ".x", right + ". ", "The answer is " + right + " because",
                "I think the answer is " + right + ".", pick(letters) + ". " + pick(p["choices"]),
                "The answer is (" + right + ").", " " + right]

    rows = []
    for pid in test_ids + train_ids[:2]:
        p = problems[pid]
        n += 1
        if n % 11 == 5:
            continue  # unanswered
        cands = texts(p)
        text = cands[n % len(cands)] if n <= len(cands) else rng.choice(cands)
        prompt = ("<image>\n" if p["image"] else "") + p["question"] + "\nAnswer with the option's letter."
        rows.append({"question_id": pid, "prompt": prompt, "text": text, "answer_id": "a%d" % n})
    # Quirks: a repeated id keeps its last row; a numeric id never equals the string key.
    first_img = next(pid for pid in test_ids if problems[pid]["image"])
    rows.insert(0, {"question_id": first_img, "prompt": "<image>\nQ", "text": "Z"})
    num_id = next(pid for pid in test_ids[10:] if problems[pid]["image"])
    rows = [r for r in rows if r["question_id"] != num_id]
    rows.append({"question_id": int(num_id), "prompt": "<image>\nQ",
                 "text": "ABCDE"[problems[num_id]["answer"] % 5]})
    write_jsonl(out("sqa", "predictions.jsonl"), rows)

    tmp = tempfile.mkdtemp()
    printed = run_program(script("eval_science_qa.py"), [
        "--base-dir", os.path.join(OUT, "sqa"), "--result-file", out("sqa", "predictions.jsonl"),
        "--output-file", os.path.join(tmp, "o.json"), "--output-result", os.path.join(tmp, "r.json")])
    with open(os.path.join(tmp, "o.json")) as f:
        results = json.load(f)
    with open(os.path.join(tmp, "r.json")) as f:
        sqa_results = json.load(f)
    shutil.rmtree(tmp)
    mm_correct = [x for x in results["correct"] if x["is_multimodal"]]
    mm_incorrect = [x for x in results["incorrect"] if x["is_multimodal"]]
    image_test = [pid for pid in test_ids if problems[pid]["image"]]
    per_q = {}
    for x in results["correct"] + results["incorrect"]:
        if x["question_id"] in image_test and x["is_multimodal"]:
            per_q[x["question_id"]] = {"parsed": x["parsed_ans"], "option": sqa_results["results"][x["question_id"]],
                                       "correct": x in results["correct"]}
    expected["sqa"] = {
        "printed": printed.strip(),
        "img_accuracy": len(mm_correct) / (len(mm_correct) + len(mm_incorrect)),
        "img_answered": len(mm_correct) + len(mm_incorrect),
        "img_correct": len(mm_correct),
        "img_accuracy_missing_wrong": len(mm_correct) / len(image_test),
        "image_questions": len(image_test),
        "questions": per_q,
    }


# ---------------------------------------------------------------------------------------------------------------
# TextVQA: eval_textvqa.py + m4c_evaluator.py, LLaVA's answer file
# ---------------------------------------------------------------------------------------------------------------
HUMAN_POOL = ["2", "two", "cat", "the cat", "Cat.", "coca cola", "coca-cola", "10:30", "1,000", "1000", "yes",
              "no", "don't", "dont", "a dog", "dogs", "STOP", "stop", "3.5", "3,5", "mr. smith", "nike", "Nike's"]


def textvqa():
    data = []
    rows = []
    for i in range(36):
        img = "%016x" % rng.getrandbits(64)
        for j in range(1 if i % 4 else 2):
            qid = 5000 + len(data)
            q = "What is written %s number %d?" % ("on the SIGN" if j else "here", i)
            answers = [rng.choice(HUMAN_POOL[i % 7:i % 7 + 6]) for _ in range(10)]
            data.append({"question_id": qid, "image_id": img, "question": q, "answers": answers,
                         "image_classes": ["Sign"]})
            pred = rng.choice(answers + ["Two.", "  cat ", "The Cat", "none", "coca, cola", "10 : 30", "?", ""])
            kind = len(data) % 3
            if kind == 0:
                prompt = q + "\nReference OCR token: STOP, 2\nAnswer the question using a single word or phrase."
            elif kind == 1:
                prompt = q + "\nAnswer the question using a single word or phrase."
            else:
                prompt = "OCR tokens: STOP, 2 Question: " + q + " Short answer:"
            rows.append({"question_id": img, "prompt": prompt, "text": pred, "model_id": "m"})
    rows.append(dict(rows[3]))  # a repeated row counts twice
    rows[-1]["text"] = "something else"
    with open(out("textvqa", "TextVQA_val.json"), "w") as f:
        json.dump({"dataset_name": "textvqa", "data": data}, f, indent=1)
    write_jsonl(out("textvqa", "llava_answers.jsonl"), rows)

    tmp = tempfile.mkdtemp()
    os.makedirs(os.path.join(tmp, "llava", "eval"))
    open(os.path.join(tmp, "llava", "__init__.py"), "w").close()
    open(os.path.join(tmp, "llava", "eval", "__init__.py"), "w").close()
    shutil.copy(script("m4c_evaluator.py"), os.path.join(tmp, "llava", "eval", "m4c_evaluator.py"))
    shutil.copy(script("eval_textvqa.py"), os.path.join(tmp, "llava", "eval", "eval_textvqa.py"))
    sys.path.insert(0, tmp)
    import llava.eval.eval_textvqa as et
    import llava.eval.m4c_evaluator as m4c
    captured = {}
    original = m4c.TextVQAAccuracyEvaluator.eval_pred_list

    def wrapped(self, pred_list):
        captured["scores"] = [self._compute_answer_scores(e["gt_answers"]).get(self.answer_processor(e["pred_answer"]),
                                                                              0.0) for e in pred_list]
        captured["accuracy"] = original(self, pred_list)
        return captured["accuracy"]
    m4c.TextVQAAccuracyEvaluator.eval_pred_list = wrapped
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        et.eval_single(out("textvqa", "TextVQA_val.json"), out("textvqa", "llava_answers.jsonl"))
    sys.path.remove(tmp)
    shutil.rmtree(tmp)
    expected["textvqa"] = {"printed": buf.getvalue().strip(), "accuracy": captured["accuracy"],
                           "row_scores": captured["scores"], "rows": len(rows)}


# ---------------------------------------------------------------------------------------------------------------
# VQA: vqaEval.py under Python 2 semantics
# ---------------------------------------------------------------------------------------------------------------
PY2_SPACE = set(map(chr, [9, 10, 11, 12, 13, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x180e]
                    + list(range(0x2000, 0x200b)) + [0x2028, 0x2029, 0x202f, 0x205f, 0x3000]))


class Py2Unicode(str):
    """A str with Python 2.7 unicode's lower/strip/split/replace."""

    def lower(self):
        return Py2Unicode("".join("i" if c == "\u0130" else c.lower() for c in self))

    def strip(self, chars=None):
        if chars is not None:
            return Py2Unicode(str.strip(self, chars))
        s = str(self)
        a, b = 0, len(s)
        while a < b and s[a] in PY2_SPACE:
            a += 1
        while b > a and s[b - 1] in PY2_SPACE:
            b -= 1
        return Py2Unicode(s[a:b])

    def split(self, sep=None, maxsplit=-1):
        if sep is not None:
            return [Py2Unicode(x) for x in str.split(self, sep, maxsplit)]
        words, cur = [], []
        for c in self:
            if c in PY2_SPACE:
                if cur:
                    words.append(Py2Unicode("".join(cur)))
                    cur = []
            else:
                cur.append(c)
        if cur:
            words.append(Py2Unicode("".join(cur)))
        return words

    def replace(self, old, new, count=-1):
        return Py2Unicode(str.replace(self, old, new, count))


def py2ify(x):
    if isinstance(x, str):
        return Py2Unicode(x)
    if isinstance(x, list):
        return [py2ify(v) for v in x]
    if isinstance(x, dict):
        return {py2ify(k) if isinstance(k, str) else k: py2ify(v) for k, v in x.items()}
    return x


class _Pattern:
    def __init__(self, p):
        self.p = p

    def sub(self, repl, string, count=0):
        return Py2Unicode(self.p.sub(repl, string, count))

    def search(self, string, *a):
        return self.p.search(string, *a)


def py2_re():
    m = types.ModuleType("re")
    m.compile = lambda pattern, flags=0: _Pattern(re.compile(pattern, flags | re.ASCII))
    m.search = lambda pattern, string, flags=0: (pattern.search(string) if isinstance(pattern, _Pattern)
                                                 else re.search(pattern, string, flags | re.ASCII))
    m.UNICODE = re.UNICODE
    return m


def py2_round(x, n=0):
    return float(decimal.Decimal(x).quantize(decimal.Decimal(1).scaleb(-n), rounding=decimal.ROUND_HALF_UP))


def py2_source(path):
    """The script with its print statements as calls, and its leading tabs expanded to Python 2's tab stops of 8
    (vqa.py mixes tabs and spaces, which Python 3 refuses)."""
    with open(path) as f:
        lines = f.read().split("\n")
    lines = [re.match(r"[ \t]*", l).group(0).expandtabs(8) + l[len(re.match(r"[ \t]*", l).group(0)):]
             for l in lines]
    return re.sub(r"^(\s*)print (.*)$", r"\1print(\2)", "\n".join(lines), flags=re.M)


def run_vqaeval_emulated(ann_file, ques_file, res_file):
    jshim = types.ModuleType("json")
    jshim.load = lambda f: py2ify(json.load(f))
    ns_vqa = {"__name__": "vqa", "json": jshim}
    src = py2_source(script("vqa.py")).replace("import json", "")
    exec(compile(src, "vqa.py", "exec"), ns_vqa)
    ns_vqa["json"] = jshim
    ns_eval = {"__name__": "vqaEval"}
    src = py2_source(script("vqaEval.py")).replace("import re", "")
    exec(compile(src, "vqaEval.py", "exec"), ns_eval)
    ns_eval["re"] = py2_re()
    ns_eval["round"] = py2_round
    with contextlib.redirect_stdout(io.StringIO()):
        vqa = ns_vqa["VQA"](ann_file, ques_file)
        res = vqa.loadRes(res_file, ques_file)
        ev = ns_eval["VQAEval"](vqa, res, n=2)
        raw = {}
        orig = ev.setAccuracy

        def keep(accQA, accQuesType, accAnsType):
            raw["accQA"] = list(accQA)
            raw["perAnswerType"] = {k: list(v) for k, v in accAnsType.items()}
            return orig(accQA, accQuesType, accAnsType)
        ev.setAccuracy = keep
        ev.evaluate()
    return {"overall": ev.accuracy["overall"], "perAnswerType": ev.accuracy["perAnswerType"],
            "perQuestionType": ev.accuracy["perQuestionType"],
            "evalQA": {str(k): v for k, v in ev.evalQA.items()},
            "mean": sum(raw["accQA"]) / len(raw["accQA"]),
            "perQuestion": [float(x) for x in raw["accQA"]]}


PY2_DRIVER = r'''
import sys, json
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
from vqa import VQA
from vqaEval import VQAEval
import StringIO
real = sys.stdout
sys.stdout = StringIO.StringIO()
vqa = VQA(sys.argv[3], sys.argv[4])
res = vqa.loadRes(sys.argv[5], sys.argv[4])
ev = VQAEval(vqa, res, n=2)
raw = {}
orig = ev.setAccuracy
def keep(accQA, q, a):
    raw['accQA'] = list(accQA)
    return orig(accQA, q, a)
ev.setAccuracy = keep
ev.evaluate()
sys.stdout = real
print(json.dumps({"overall": ev.accuracy["overall"], "perAnswerType": ev.accuracy["perAnswerType"],
                  "perQuestionType": ev.accuracy["perQuestionType"],
                  "evalQA": dict((str(k), v) for k, v in ev.evalQA.items()),
                  "mean": sum(raw["accQA"]) / len(raw["accQA"]), "perQuestion": raw["accQA"]}))
'''


def vqa():
    # Answers: ASCII quirks and the non-ASCII cases where Python 2 and 3 differ.
    cases = [
        (["ΟΔΟΣ"] * 3 + ["οδοσ"] * 4 + ["x"] * 3, "ΟΔΟΣ"),          # final sigma: py2 lower keeps σ
        (["οδοσ"] * 5 + ["y"] * 5, "ΟΔΟΣ"),
        (["istanbul"] * 6 + ["z"] * 4, "İstanbul"),                 # İ lowers to plain i in py2
        (["i̇stanbul"] * 6 + ["z"] * 4, "İstanbul"),
        (["3.5"] * 5 + ["x"] * 5, "3.5"),
        (["٣٥"] * 4 + ["٣.٥"] * 3 + ["q"] * 3, "٣.٥"),               # \d ASCII: period before ٥ is stripped
        (["٣,٥"] * 4 + ["٣ ٥"] * 3 + ["q"] * 3, "٣,٥"),              # no digit-comma-digit in py2
        (["red ball"] * 5 + ["ball"] * 5, "red\u180eball"),           # U+180E is whitespace in py2
        (["red\u180eball"] * 5 + ["ball"] * 5, "red\u180eball"),
        (["red ball"] * 5 + ["ball"] * 5, "red\u00a0ball"),
        (["two"] * 10, "2"),                                          # unanimous: raw comparison
        (["2"] * 4 + ["two"] * 3 + ["3"] * 3, "Two."),
        (["cat"] * 3 + ["a cat"] * 3 + ["dog"] * 4, " the cat \n"),
        (["dont"] * 5 + ["no"] * 5, "don't"),
        (["1,000"] * 5 + ["1000"] * 5, "1,000"),
        (["a.b.c"] * 4 + ["abc"] * 6, "a.b.c."),
        (["yes"] * 9 + ["no"], "Yes"),
        (["yes"] * 9 + ["no"], "yes"),
        (["ΣΑΣ"] * 5 + ["σας"] * 5, "σας"),
        (["ǅ"] * 5 + ["ǆ"] * 5, "ǅ"),
    ]
    for _ in range(30):
        humans = [rng.choice(HUMAN_POOL) for _ in range(10)]
        cases.append((humans, rng.choice(humans + ["Two.", "the cat", "Coca Cola", "?", "", "10 : 30"])))
    questions, anns, results = [], [], []
    for i, (humans, pred) in enumerate(cases):
        qid = 9000 + i
        questions.append({"question_id": qid, "image_id": 100 + i, "question": "What is it %d?" % i})
        anns.append({"question_id": qid, "image_id": 100 + i, "question_type": "what is" if i % 2 else "how many",
                     "answer_type": ["other", "number", "yes/no"][i % 3], "multiple_choice_answer": humans[0],
                     "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": j + 1}
                                 for j, a in enumerate(humans)]})
        results.append({"question_id": qid, "answer": pred})
    head = {"info": {}, "task_type": "Open-Ended", "data_type": "mscoco", "data_subtype": "val2014",
            "license": {}}
    with open(out("vqa", "questions.json"), "w", encoding="utf-8") as f:
        json.dump(dict(head, questions=questions), f, ensure_ascii=False, indent=1)
    with open(out("vqa", "annotations.json"), "w", encoding="utf-8") as f:
        json.dump(dict(head, annotations=anns), f, ensure_ascii=False, indent=1)
    with open(out("vqa", "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)
    write_jsonl(out("vqa", "predictions.jsonl"), [{"question_id": r["question_id"], "text": r["answer"]}
                                                  for r in results])
    args = (out("vqa", "annotations.json"), out("vqa", "questions.json"), out("vqa", "results.json"))
    emulated = run_vqaeval_emulated(*args)
    source = "python3 with python 2 emulated"
    if PYTHON2:
        tmp = tempfile.mkdtemp()
        with open(os.path.join(tmp, "driver.py"), "w") as f:
            f.write(PY2_DRIVER)
        real = json.loads(subprocess.check_output([PYTHON2, os.path.join(tmp, "driver.py"), os.path.dirname(
            script("vqa.py")), os.path.dirname(script("vqaEval.py"))] + list(args)))
        shutil.rmtree(tmp)
        if real != json.loads(json.dumps(emulated)):
            sys.exit("the Python 2 emulation disagrees with Python 2 itself:\n%s\n%s" % (real, emulated))
        emulated = real
        source = "python 2.7 (" + subprocess.check_output([PYTHON2, "-c", "import sys; print(sys.version.split()[0])"]
                                                         ).decode().strip() + "), equal to the emulation"
    emulated["source"] = source
    expected["vqaeval"] = emulated


# ---------------------------------------------------------------------------------------------------------------
# SEED-Bench: convert_seed_for_submission.py
# ---------------------------------------------------------------------------------------------------------------
def seed():
    types_ = {"Scene Understanding": 1, "Instance Identity": 2, "Instance Attributes": 3, "Action Recognition": 10}
    qs, rows = [], []
    texts = ["A", "B", "C", "D", "A.", " A", "a", "(A)", "The answer is A", "A\n", "D", "B", "C"]
    for i in range(48):
        video = i % 8 == 7
        qid = str(70000 + i)
        ans = "ABCD"[rng.randrange(4)]
        qs.append({"question_id": qid, "question": "Q%d?" % i, "choice_a": "a", "choice_b": "b", "choice_c": "c",
                   "choice_d": "d", "answer": ans, "data_type": "video" if video else "image",
                   "question_type_id": 10 if video else 1 + i % 3, "data_id": "img/%d.jpg" % i})
        text = ans if i % 3 == 0 else rng.choice(texts)
        # LLaVA's answer files carry numeric ids; a string id answers only in the upload file
        rows.append({"question_id": qid if i % 10 == 4 else int(qid), "prompt": "Q", "text": text})
    rows.append({"question_id": 70002, "prompt": "Q", "text": qs[2]["answer"]})  # repeated: last row wins
    rows.append({"question_id": 99999, "prompt": "Q", "text": "A"})                # names no question
    with open(out("seed", "SEED-Bench.json"), "w") as f:
        json.dump({"questions": qs, "question_type": types_}, f, indent=1)
    write_jsonl(out("seed", "predictions.jsonl"), rows)
    upload = os.path.join(tempfile.mkdtemp(), "upload.jsonl")
    seen = locals_on_return("eval_single", lambda: run_program(script("convert_seed_for_submission.py"), [
        "--annotation-file", out("seed", "SEED-Bench.json"), "--result-file", out("seed", "predictions.jsonl"),
        "--result-upload-file", upload]))
    image = [s for s in seen if s.get("eval_only_type") == "image"][0]
    names = {v: k for k, v in types_.items()}
    with open(upload, encoding="utf-8") as f:
        lines = f.read().splitlines()
    image_ids = {q["question_id"] for q in qs if q["data_type"] == "image"}
    expected["seed"] = {
        "image_accuracy": image["total_correct"] / image["total_count"],
        "image_correct": image["total_correct"], "image_count": image["total_count"],
        "per_type": {names[t]: image["correct_counts"][t] / image["type_counts"][t] for t in image["type_counts"]},
        "upload_image_lines": [l for l in lines if json.loads(l)["question_id"] in image_ids],
    }


# ---------------------------------------------------------------------------------------------------------------
# MMBench: convert_mmbench_for_submission.py
# ---------------------------------------------------------------------------------------------------------------
def mmbench():
    cols = ["index", "question", "hint", "A", "B", "C", "D", "answer", "category", "source", "l2-category",
            "comment", "split", "image"]
    lines = ["\t".join(cols)]
    rows = []
    for i in range(16):
        idx = i if i < 10 else 1000000 + i - 10
        opts = ["cat & dog", "<b>", "7" if i % 2 else "nan", "nan" if i % 3 else "d"]
        c_numeric = str(7 + i) if i % 2 else "nan"
        cells = [str(idx), "Which %d?" % i, "nan" if i % 2 else "a hint", opts[0], opts[1], c_numeric, opts[3],
                 "AB"[i % 2], "cat%d" % (i % 3), "src", "l2", "nan", "dev", "iVBORw0KGgo="]
        lines.append("\t".join(cells))
        if i % 5 != 4:
            rows.append({"question_id": idx if i != 6 else str(idx), "prompt": "Q",
                         "text": ["A", "B", "The answer is B.", "naïve ü", "x\ty"][i % 5]})
    rows.append({"question_id": 0, "prompt": "Q", "text": "last wins"})
    with open(out("mmbench", "mmbench_dev.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    tmp = tempfile.mkdtemp()
    write_jsonl(os.path.join(tmp, "exp.jsonl"), rows)
    shutil.copy(os.path.join(tmp, "exp.jsonl"), out("mmbench", "predictions.jsonl"))
    run_program(script("convert_mmbench_for_submission.py"), [
        "--annotation-file", out("mmbench", "mmbench_dev.tsv"), "--result-dir", tmp, "--upload-dir", tmp,
        "--experiment", "exp"])
    import openpyxl
    ws = openpyxl.load_workbook(os.path.join(tmp, "exp.xlsx")).active
    cells = [[{"type": type(c.value).__name__, "value": c.value} for c in row] for row in ws.iter_rows()]
    shutil.rmtree(tmp)
    expected["mmbench_submission"] = cells


# ---------------------------------------------------------------------------------------------------------------
# POPE: eval_pope.py (per category, as it prints)
# ---------------------------------------------------------------------------------------------------------------
def pope():
    cats = ["adversarial", "popular", "random"]
    questions, answers = [], []
    labels = {c: [] for c in cats}
    pool = ["Yes", "No", "yes", "no", "NO", "Not at all", "No\nthere is", "Yes, there is no doubt.",
            "There is not a dog.", "yes.", "no, it is not", "Yes there is no.", "no", "maybe"]
    qid = 0
    for c in cats:
        for i in range(14):
            qid += 1
            label = "yes" if rng.random() < 0.5 else "no"
            questions.append({"question_id": qid, "image": "%d.jpg" % qid, "text": "Is there a dog?",
                              "label": label, "category": c})
            labels[c].append({"question_id": qid, "label": label})
            answers.append({"question_id": qid, "prompt": "Q", "text": rng.choice(pool)})
    write_jsonl(out("pope", "pope.jsonl"), questions)
    write_jsonl(out("pope", "predictions.jsonl"), answers)
    tmp = tempfile.mkdtemp()
    for c in cats:
        write_jsonl(os.path.join(tmp, "coco_pope_%s.json" % c), labels[c])
    seen = locals_on_return("eval_pope", lambda: run_program(script("eval_pope.py"), [
        "--annotation-dir", tmp, "--question-file", out("pope", "pope.jsonl"),
        "--result-file", out("pope", "predictions.jsonl")]))
    shutil.rmtree(tmp)
    got = {}
    for s in seen:
        c = os.path.basename(s["label_file"])[10:-5]
        got[c] = {"accuracy": s["acc"], "precision": s["precision"], "recall": s["recall"], "f1": s["f1"],
                  "yes_ratio": s["yes_ratio"], "n": len(s["pred_list"])}
    expected["pope"] = got


scienceqa()
textvqa()
vqa()
seed()
mmbench()
pope()
with open(out("expected.json"), "w", encoding="utf-8") as f:
    json.dump(expected, f, indent=1, ensure_ascii=False, sort_keys=True)
    f.write("\n")
print("wrote", out("expected.json"))
