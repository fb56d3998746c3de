"""Assessments: module quizzes, case presentations and competency evaluations."""
