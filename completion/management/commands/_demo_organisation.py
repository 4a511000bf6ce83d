"""A believable organisation for the demo and the benchmark: a province,
its bureaus and their departments, people with Chinese names, assignments
with due dates, and quiz history with a realistic spread of outcomes.

Everything is written with bulk inserts, in chunks, so `demo --employees
100000` takes about a minute rather than hours. The random draws are seeded:
the same size always gives the same organisation.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import get_language

from completion.models import Assignment, Certificate, Completion, Employee, Unit
from lessons.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    DecisionResponse,
    Module,
    valid_until,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"  # common family names
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "海燕",
    "志强",
    "文博",
    "子涵",
    "雨桐",
    "欣怡",
    "浩然",
    "宇航",
    "思远",
    "婷婷",
    "俊杰",
    "佳怡",
    "振华",
    "国庆",
    "丽华",
    "建国",
    "红梅",
    "晓燕",
    "立新",
    "春燕",
    "志刚",
    "玉兰",
    "晨曦",
    "一鸣",
    "若曦",
    "泽宇",
    "梓萱",
    "鹏飞",
    "雪梅",
    "德明",
    "慧敏",
    "少华",
    "永强",
    "云飞",
]
BUREAUS = [
    ("FGW", "省发展和改革委员会", ["办公室", "综合规划处", "对外合作处"]),
    ("CZT", "省财政厅", ["办公室", "预算处", "国库处"]),
    ("WSB", "省外事办公室", ["办公室", "出国（境）管理处", "礼宾处"]),
    ("KJT", "省科学技术厅", ["办公室", "高新技术处", "国际合作处"]),
    ("GXT", "省工业和信息化厅", ["办公室", "产业政策处", "信息化推进处"]),
    ("SWT", "省商务厅", ["办公室", "对外贸易处", "外商投资处"]),
]
EXTRA_DEPARTMENTS = ["人事处", "机关党委", "法规处", "信息中心", "财务处", "保密办公室", "督查处"]
# (weight, outcome) of a person's history with one assigned module.
OUTCOMES = [
    (40, "pass_first"),
    (14, "pass_second"),
    (6, "pass_late"),
    (12, "in_progress"),
    (6, "failed_once"),
    (4, "failed_out"),
    (18, "not_started"),
]
BATCH = 5000
EXAMPLE_DOMAIN = "example.org"


def chinese_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


class Builder:
    def __init__(
        self, *, province: Unit, employees: int, with_choices: bool, language: str = "", log=print
    ):
        self.province = province
        self.language = language
        self.size = employees
        self.with_choices = with_choices
        self.rng = random.Random(20250710 + employees)
        self.log = log
        self.now = timezone.now()
        self.today = timezone.localdate()

    # The tree ------------------------------------------------------------

    def units(self) -> list[Unit]:
        """The departments people are filed in (bureaus are created on the way)."""
        bureaus = max(4, min(60, self.size // 2000))
        per_bureau = 3 if self.size <= 500 else 10
        departments = []
        for index in range(bureaus):
            code, name, names = BUREAUS[index % len(BUREAUS)]
            if index >= len(BUREAUS):
                code, name = f"{code}{index // len(BUREAUS) + 1}", f"{name}（{index + 1}）"
            bureau = self.unit(self.province, f"{self.province.code}-{code}", name)
            all_names = names + EXTRA_DEPARTMENTS
            for number in range(per_bureau):
                department_name = all_names[number % len(all_names)]
                if number >= len(all_names):
                    department_name += f"（{number + 1}）"
                departments.append(
                    self.unit(bureau, f"{bureau.code}-D{number + 1:02d}", department_name)
                )
        return departments

    def unit(self, parent: Unit, code: str, name: str) -> Unit:
        unit = Unit.objects.filter(code=code).first()
        return unit or Unit.objects.create_child(parent, code=code, name=name)

    # The people ----------------------------------------------------------

    def people(self, departments: list[Unit], *, password: str) -> list[Employee]:
        User = get_user_model()
        password_hash = make_password(password)  # hashed once: hashing 100,000 times takes hours
        prefix = self.province.code
        users, employees = [], []
        for number in range(1, self.size + 1):
            name = chinese_name(self.rng)
            username = f"{prefix.lower()}{number:06d}"
            users.append(
                User(
                    username=username,
                    first_name=name,
                    password=password_hash,
                    # A domain reserved for examples: reminders can be tried safely.
                    email=f"{username}@{EXAMPLE_DOMAIN}",
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH)
        ids = dict(
            User.objects.filter(username__startswith=prefix.lower()).values_list("username", "pk")
        )
        for number, user in enumerate(users, start=1):
            unit = departments[(number * 7919) % len(departments)]  # spread, not sorted by unit
            employees.append(
                Employee(
                    user_id=ids[user.username],
                    unit=unit,
                    employee_number=f"{prefix}-{number:06d}",
                    full_name=user.first_name,
                    language=self.language,
                    # In their department long before anything was assigned.
                    unit_since=self.today - timedelta(days=730),
                )
            )
        Employee.objects.bulk_create(employees, batch_size=BATCH)
        self.log(f"{len(employees)} employees in {len(departments)} departments")
        return employees

    # Assignments ---------------------------------------------------------

    def assignments(self, modules: list[Module], departments: list[Unit], by) -> list[tuple]:
        """What is assigned to whom: (assignment, due date) pairs for the history."""
        first, second, third = (modules * 3)[:3]
        bureaus = list(Unit.objects.filter(parent=self.province).order_by("path"))
        plan = [
            # Everyone: the first case, due last week (some are overdue), …
            (first, self.province, self.today - timedelta(days=7)),
            # … the second, due in three weeks.
            (second, self.province, self.today + timedelta(days=21)),
        ]
        # People who travel abroad for work: the honey-trap case, in two bureaus.
        for bureau in bureaus[1:3]:
            plan.append((third, bureau, self.today + timedelta(days=10)))
        for module, unit, due in plan:
            assignment, _new = Assignment.objects.assign(
                module=module, unit=unit, due_date=due, by=by
            )
            # Assigned a month before the due date (or before today, if
            # later), as the history below assumes.
            Assignment.objects.filter(pk=assignment.pk).update(
                created_at=min(self.now, self.deadline(due)) - timedelta(days=30)
            )
        return plan

    def deadline(self, due) -> datetime:
        return timezone.make_aware(datetime.combine(due, time(23, 59)))

    # History -------------------------------------------------------------

    def history(
        self, employees: list[Employee], plan: list[tuple], scripted: dict | None = None
    ) -> None:
        """Quiz history for everyone assigned something; `scripted` fixes the
        outcomes of some people ({employee pk: [outcome per plan entry]})."""
        with translation.override(self.language or None):
            self._history(employees, plan, scripted or {})

    def _history(self, employees: list[Employee], plan: list[tuple], scripted: dict) -> None:
        # In the people's language: attempts copy their questions in it, as
        # the quiz does for a person reading the site in that language.
        questions = {}
        for module, _unit, _due in plan:
            bank = list(module.questions.active().prefetch_related("choices"))
            questions[module.pk] = (bank, self.difficulty(bank))
        units = {unit.pk: unit.path for unit in Unit.objects.subtree(self.province)}
        decisions = {
            module.pk: list(module.decision_points.prefetch_related("options"))
            for module, _unit, _due in plan
        }
        # Scripted people (the demo's own employee) meet the story afresh.
        scripted_users = {e.user_id for e in employees if e.pk in scripted}
        for start in range(0, len(employees), BATCH):
            chunk = employees[start : start + BATCH]
            attempts = []
            for employee in chunk:
                path = units[employee.unit_id]
                outcomes = scripted.get(employee.pk, [None] * len(plan))
                for (module, unit, due), outcome in zip(plan, outcomes, strict=True):
                    if path.startswith(unit.path) and questions[module.pk][0]:
                        attempts += self.attempts_for(employee, module, due, outcome)
            self.save_attempts(attempts, questions)
            self.save_decisions(attempts, decisions, skip=scripted_users)
        # Attempts stamp their start time on insert; give them believable ones.
        Attempt.objects.filter(submitted_at__isnull=False, started_at__gt=F("submitted_at")).update(
            started_at=F("submitted_at") - timedelta(minutes=14)
        )

    def save_decisions(self, attempts: list[Attempt], decisions: dict, *, skip: set) -> None:
        """Who took a quiz went through the story first: their choices at its
        decision points, the recommended one most often, some points more
        tempting than others. A random draw of its own, so the rest of the
        organisation is the same with or without it."""
        rng = random.Random(f"decisions:{self.size}:{len(attempts)}")
        responses = []
        for attempt in attempts:
            if attempt.number != 1 or attempt.user_id in skip:
                continue
            for point in decisions[attempt.module_id]:
                options = list(point.options.all())
                if not options:
                    continue
                tempting = 0.15 + 0.25 * (point.pk % 3) / 2  # 15%, 27.5% or 40% go wrong
                right = [option for option in options if option.is_recommended]
                wrong = [option for option in options if not option.is_recommended]
                pool = right if right and (not wrong or rng.random() > tempting) else wrong
                # The first wrong option tempts more than the others.
                weights = [2 if index == 0 else 1 for index in range(len(pool))]
                option = rng.choices(pool, weights)[0]
                responses.append(
                    DecisionResponse(
                        user_id=attempt.user_id,
                        decision_point=point,
                        option=option,
                        option_text=option.text,
                        was_recommended=option.is_recommended,
                    )
                )
        DecisionResponse.objects.bulk_create(responses, batch_size=BATCH, ignore_conflicts=True)

    def difficulty(self, bank) -> dict[int, float]:
        # Some questions are missed far more often than others.
        return {question.pk: self.rng.choice([0.5, 1, 1, 2, 4]) for question in bank}

    def attempts_for(
        self, employee: Employee, module: Module, due, outcome: str | None = None
    ) -> list[Attempt]:
        if outcome is None:
            outcome = self.rng.choices([o for _, o in OUTCOMES], [w for w, _ in OUTCOMES])[0]
        deadline = self.deadline(due)
        assigned = min(self.now, deadline) - timedelta(days=30)
        if deadline > self.now and outcome == "pass_late":
            outcome = "pass_second"  # not late yet: it cannot have been passed late
        limit = module.attempt_limit or 3
        scores = {
            "pass_first": [self.passing(module)],
            "pass_second": [self.failing(module), self.passing(module)],
            "pass_late": [self.passing(module)],
            "in_progress": [None],
            "failed_once": [self.failing(module)],
            "failed_out": [self.failing(module) for _ in range(limit)],
            "not_started": [],
        }[outcome]
        latest = min(self.now, deadline) - timedelta(hours=1)
        attempts = []
        for number, score in enumerate(scores, start=1):
            if outcome == "pass_late":
                at = deadline + timedelta(days=self.rng.randint(1, 5))
            else:
                at = assigned + (latest - assigned) * self.rng.random()
            at = min(at, self.now - timedelta(minutes=5))
            attempts.append(
                Attempt(
                    user_id=employee.user_id,
                    module=module,
                    number=number,
                    status=AttemptStatus.IN_PROGRESS if score is None else AttemptStatus.SUBMITTED,
                    pass_mark=module.pass_mark,
                    validity_months=module.validity_months,
                    study_hours=module.study_hours,
                    module_title=module.title,
                    language=get_language(),
                    submitted_at=None if score is None else at,
                    question_count=module.questions_per_attempt,
                    correct_count=None,
                    score=score,
                    passed=None if score is None else score >= module.pass_mark,
                )
            )
        # Several attempts on one module come in order.
        stamps = sorted(a.submitted_at for a in attempts if a.submitted_at)
        for attempt, stamp in zip([a for a in attempts if a.submitted_at], stamps, strict=True):
            attempt.submitted_at = stamp
        return attempts

    def passing(self, module: Module) -> int:
        count = module.questions_per_attempt
        needed = -(-module.pass_mark * count // 100)
        return round(100 * self.rng.randint(needed, count) / count)

    def failing(self, module: Module) -> int:
        count = module.questions_per_attempt
        needed = -(-module.pass_mark * count // 100)
        return round(100 * self.rng.randint(max(0, needed - 3), needed - 1) / count)

    def save_attempts(self, attempts: list[Attempt], questions: dict) -> None:
        """Insert `attempts` with the questions each one drew, copied as the
        quiz copies them; submitted ones answered to match their score."""
        draws = []
        for attempt in attempts:
            bank, difficulty = questions[attempt.module_id]
            drawn = self.rng.sample(bank, min(len(bank), attempt.question_count))
            wrong = set()
            if attempt.score is not None:
                wrong_count = len(drawn) - round(attempt.score * len(drawn) / 100)
                # The hardest questions (weighted draw) are the ones answered wrongly.
                order = sorted(drawn, key=lambda q: self.rng.random() ** (1 / difficulty[q.pk]))
                wrong = {q.pk for q in order[len(order) - wrong_count :]}
                attempt.correct_count = len(drawn) - wrong_count
            draws.append((attempt, drawn, wrong))
        Attempt.objects.bulk_create(attempts, batch_size=BATCH)

        shown, completions = [], []
        for attempt, drawn, wrong in draws:
            # The large benchmark organisation leaves the copied explanation
            # out: the reports never read it, and it would triple the size of
            # the database.
            copies = AttemptQuestion.objects.copies(
                attempt,
                drawn,
                rng=self.rng,
                explanations=self.with_choices or attempt.score is None,
            )
            if attempt.score is not None:
                for copy in copies:
                    self.answer(copy, at=attempt.submitted_at, right=copy.question.pk not in wrong)
            shown += copies
            if attempt.passed:  # at most one passing attempt per person and module
                completions.append(
                    Completion(
                        user_id=attempt.user_id,
                        module_id=attempt.module_id,
                        attempt=attempt,
                        score=attempt.score,
                        completed_at=attempt.submitted_at,
                        valid_until=valid_until(attempt.submitted_at, attempt.validity_months),
                        study_hours=attempt.study_hours,
                    )
                )
        # An attempt in progress is built as the quiz builds one, choices and
        # all, so "Continue" opens real questions; the benchmark organisation
        # leaves out only the choices of submitted ones.
        open_copies = [copy for copy in shown if copy.attempt.is_in_progress]
        done_copies = [copy for copy in shown if not copy.attempt.is_in_progress]
        AttemptQuestion.objects.save_copies(open_copies, batch_size=BATCH)
        AttemptQuestion.objects.save_copies(
            done_copies, choices=self.with_choices, batch_size=BATCH
        )
        Completion.objects.bulk_create(completions, batch_size=BATCH)
        if self.with_choices:
            self.issue_certificates(completions)

    def answer(self, copy: AttemptQuestion, *, at, right: bool) -> None:
        """Mark a copied question answered, rightly or with one wrong choice."""
        copy.answered_at, copy.is_correct = at, right
        wrong = [choice for choice in copy.shown_choices if not choice.is_correct]
        picked = None if right or not wrong else self.rng.choice(wrong)
        for choice in copy.shown_choices:
            choice.selected = choice.is_correct if picked is None else choice is picked

    def issue_certificates(self, completions: list[Completion]) -> None:
        """Most people who passed confirmed the commitment and hold their
        certificate, so bulk printing has something to print; a few have not
        confirmed yet, as in a real unit."""
        modules = Module.objects.in_bulk()
        for completion in completions:
            if self.rng.random() < 0.9:
                completion.module = modules[completion.module_id]
                Certificate.objects.acknowledge(
                    completion=completion, text=completion.module.acknowledgement
                )
