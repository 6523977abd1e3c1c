# ruff: noqa  (era-style code, kept as its docs wrote it)
"""The served model's answers against the trained model's own predictions."""
from zenml.repository import Repository

repo = Repository()
deployment = repo.get_pipeline(pipeline_name="continuous_deployment_pipeline").runs[-1]
inference = repo.get_pipeline(pipeline_name="inference_pipeline").runs[-1]
model = deployment.get_step(name="trainer").output.read()
data = inference.get_step(name="predict_preprocessor").output.read()
served = inference.get_step(name="predictor").output.read()
local = model.predict(data)
print(f"Served: {served.tolist()}")
print(f"Local: {local.tolist()}")
print(f"Served predictions match the model: {served.tolist() == local.tolist()}")
