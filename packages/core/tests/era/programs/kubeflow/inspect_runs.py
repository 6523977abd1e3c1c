# ruff: noqa  (era-style code, kept as its docs wrote it)
"""What the Kubeflow run recorded, read back where the pipeline was started."""
from zenml.repository import Repository

run = Repository().get_pipeline(pipeline_name="mnist_pipeline").runs[-1]
print(f"Steps: {sorted(step.name for step in run.steps)}")
print(f"Accuracy: {run.get_step(name='evaluator').output.read()}")
print(f"Model gamma: {run.get_step(name='trainer').output.read().gamma}")
