import pytest
from translations import ROOT, addons, placeholders, problems


@pytest.mark.parametrize("addon", addons())
def test_zh_cn_translates_every_term(addon):
    assert problems(addon, ROOT / addon / "i18n" / f"{addon}.pot") == []


def test_placeholders_are_compared():
    assert placeholders("Task %(task)s has %(count)s lines") == [
        "%(count)s",
        "%(task)s",
    ]
    assert placeholders("%s of %s") == ["%s", "%s"]
