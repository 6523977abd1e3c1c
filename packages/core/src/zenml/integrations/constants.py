"""The integration names of the original framework (0.8-0.10), as its code spelled them.

``@pipeline(required_integrations=[SKLEARN, SELDON])`` and
``zenml integration install`` take these strings. The five that are
``zenml-<name>`` packages here are :data:`KUBEFLOW`, :data:`MYSQL`, :data:`S3`,
:data:`SELDON` and :data:`WANDB`; the others name a library (or an integration
this project does not ship).
"""

from __future__ import annotations

__all__ = [
    "AIRFLOW",
    "AWS",
    "AZURE",
    "AZUREML",
    "BENTOML",
    "DASH",
    "DEEPCHECKS",
    "ERA_INTEGRATIONS",
    "EVIDENTLY",
    "FACETS",
    "FEAST",
    "GCP",
    "GITHUB",
    "GRAPHVIZ",
    "GREAT_EXPECTATIONS",
    "HUGGINGFACE",
    "KSERVE",
    "KUBEFLOW",
    "KUBERNETES",
    "LIGHTGBM",
    "MLFLOW",
    "MYSQL",
    "NEURAL_PROPHET",
    "PILLOW",
    "PLOTLY",
    "PYTORCH",
    "PYTORCH_L",
    "S3",
    "SAGEMAKER",
    "SCIPY",
    "SELDON",
    "SKLEARN",
    "SLACK",
    "SPARK",
    "TEKTON",
    "TENSORFLOW",
    "VAULT",
    "VERTEX",
    "WANDB",
    "WHYLOGS",
    "XGBOOST",
]

AIRFLOW = "airflow"
AWS = "aws"
AZURE = "azure"
AZUREML = "azureml"
BENTOML = "bentoml"
DASH = "dash"
DEEPCHECKS = "deepchecks"
EVIDENTLY = "evidently"
FACETS = "facets"
FEAST = "feast"
GCP = "gcp"
GITHUB = "github"
GRAPHVIZ = "graphviz"
GREAT_EXPECTATIONS = "great_expectations"
HUGGINGFACE = "huggingface"
KSERVE = "kserve"
KUBEFLOW = "kubeflow"
KUBERNETES = "kubernetes"
LIGHTGBM = "lightgbm"
MLFLOW = "mlflow"
MYSQL = "mysql"
NEURAL_PROPHET = "neural_prophet"
PILLOW = "pillow"
PLOTLY = "plotly"
PYTORCH = "pytorch"
PYTORCH_L = "pytorch_lightning"
S3 = "s3"
SAGEMAKER = "sagemaker"
SCIPY = "scipy"
SELDON = "seldon"
SKLEARN = "sklearn"
SLACK = "slack"
SPARK = "spark"
TEKTON = "tekton"
TENSORFLOW = "tensorflow"
VAULT = "vault"
VERTEX = "vertex"
WANDB = "wandb"
WHYLOGS = "whylogs"
XGBOOST = "xgboost"

#: Every name above.
ERA_INTEGRATIONS: frozenset[str] = frozenset(
    value for key, value in dict(globals()).items()
    if key.isupper() and isinstance(value, str))
