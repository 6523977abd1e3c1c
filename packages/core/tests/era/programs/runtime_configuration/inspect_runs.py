# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Reads back both runs: the trained model's gamma, and where the CLI run's model went."""
import os

from zenml.io import fileio
from zenml.repository import Repository

pipeline = Repository().get_pipeline(pipeline_name="first_pipeline")
for number, run in enumerate(pipeline.runs, start=1):
    trainer = run.get_step(name="step_2")
    model = trainer.output.read()
    pickled = fileio.exists(os.path.join(trainer.output.uri, "classifier.pkl"))
    print(f"Run {number}: gamma={model.gamma} pickled={pickled}")
