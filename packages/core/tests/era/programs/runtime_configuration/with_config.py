# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The step-parameters-only form: ``pipeline.with_config("params.yaml").run()``."""
from run import first_pipeline, load_digits
from steps.trainer_step import svc_trainer

first_pipeline_instance = first_pipeline(
    step_1=load_digits(),
    step_2=svc_trainer(),
)
first_pipeline_instance.with_config("params.yaml").run()
