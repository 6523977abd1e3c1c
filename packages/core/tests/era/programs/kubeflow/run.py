# ruff: noqa  (era-style code, kept as its docs wrote it)
"""Run the pipeline on the active stack (``python run.py``, as the era's README said)."""
from pipeline import TrainerConfig, evaluator, importer, mnist_pipeline, normalizer, trainer

if __name__ == "__main__":
    p = mnist_pipeline(
        importer=importer(),
        normalizer=normalizer(),
        trainer=trainer(config=TrainerConfig(gamma=0.1)),
        evaluator=evaluator(),
    )
    p.run()
