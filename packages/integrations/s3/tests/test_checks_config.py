"""The s3 flavor's config errors name the field and the fix, never the value given, and
refuse retry settings botocore would only reject at the first request."""

from __future__ import annotations

import pytest

from conftest import Zen

#: A secret access key pasted into the wrong field.
PASTED = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(("option", "message"), [
    (f"--path={PASTED}", "is not an S3 URI"),
    (f"--path=s3://{PASTED}/x", "not a valid S3 bucket name"),
    (f"--path=s3://bucket/{PASTED}//x", "empty folder name"),
    (f'--client_kwargs={{"endpoint_url": "{PASTED}"}}', "endpoint_url must be an http"),
    (f'--config_kwargs={{"read_timeout": "{PASTED}"}}', "read_timeout must be a number"),
    (f'--config_kwargs={{"retries": "{PASTED}"}}', "retries must be an object"),
    (f"--client_kwargs={PASTED}", "expects JSON"),
])
def test_errors_never_repeat_the_value(zen: Zen, option: str, message: str) -> None:
    args = ["artifact-store", "register", "s", "--flavor=s3"]
    if not option.startswith("--path"):
        args.append("--path=s3://bucket")
    line = zen.error(*args, option)
    assert message in line and PASTED not in line


@pytest.mark.parametrize(("retries", "message"), [
    ('{"total_max_attempts": 0}', "total_max_attempts must be a whole number of at least 1"),
    ('{"max_attempts": -1}', "max_attempts must be a whole number of at least 0"),
    ('{"total_max_attempts": "3"}', "total_max_attempts must be a whole number"),
    ('{"mode": "fast"}', "mode must be legacy, standard or adaptive"),
])
def test_bad_retry_settings_are_refused_at_registration(zen: Zen, retries: str,
                                                        message: str) -> None:
    line = zen.error("artifact-store", "register", "s", "--flavor=s3", "--path=s3://bucket",
                     f'--config_kwargs={{"retries": {retries}}}')
    assert "--config_kwargs" in line and message in line


def test_good_retry_settings_are_kept(zen: Zen) -> None:
    zen("artifact-store", "register", "s", "--flavor=s3", "--path=s3://bucket",
        '--config_kwargs={"retries": {"max_attempts": 4, "mode": "adaptive"}}')
    assert '"mode": "adaptive"' in zen("artifact-store", "describe", "s").output
