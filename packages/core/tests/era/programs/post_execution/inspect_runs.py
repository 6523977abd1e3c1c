# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Inspecting pipeline runs (docs/book/developer-guide/steps-pipelines/
post-execution-workflow.md), in a process of its own, as the era's users did."""
import numpy as np

from zenml.repository import Repository

repo = Repository()
pipeline = repo.get_pipeline(pipeline_name="first_pipeline")
print(f"Pipelines: {[p.name for p in repo.get_pipelines()]}")
print(f"Runs: {[run.name for run in pipeline.runs]}")

last_run = pipeline.runs[-1]
last_step = last_run.steps[-1]
model = last_step.output.read()
print(f"Last step: {type(model).__name__} gamma={model.gamma}")

run = pipeline.get_run(run_name="gamma_0.01")
importer = run.get_step(name="step_1")
X_test = importer.outputs["X_test"].read()
y_test = importer.outputs["y_test"].read(output_data_type=np.ndarray)
trainer = run.get_step(name="svc_trainer")  # the step function's name finds it too
print(f"First run: gamma={trainer.output.read().gamma} "
      f"accuracy={trainer.output.read().score(X_test, y_test)}")
print(f"Steps: {[step.name for step in run.steps]}")

try:
    pipeline.get_run(run_name="no_such_run")
except KeyError:
    print("Unknown run: KeyError")
