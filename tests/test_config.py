import pickle

import pytest

from coach import Config, ConfigError


def test_config_from_toml(tmp_path):
    path = tmp_path / "qa.toml"
    path.write_text(
        """
[stages.reassure]
threshold = 0.7
add_cues = ["you're in good hands"]
remove_cues = ["no worries"]

[stages.follow_up]
enabled = false

[clarity]
allow = ["FibreMax"]
glossary = { "MFA" = "two-step sign-in" }

[clarity.kinds.long_sentence]
threshold = 25
""",
        encoding="utf-8",
    )
    config = Config.load(path)
    assert config.stage("reassure").threshold == 0.7
    assert config.stage("reassure").add_cues == ("you're in good hands",)
    assert config.stage("follow_up").enabled is False
    assert config.stage("fix").enabled is True
    assert config.clarity.glossary["MFA"] == "two-step sign-in"
    assert config.clarity.kind("long_sentence").threshold == 25
    assert config.clarity.kind("jargon").enabled is True
    assert config.fingerprint != Config().fingerprint


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"stage": {}}, "stage"),
        ({"stages": {"empathy": {}}}, "stages.empathy"),
        ({"stages": {"fix": {"threshold": 2}}}, "stages.fix.threshold"),
        ({"stages": {"fix": {"enabled": "yes"}}}, "stages.fix.enabled"),
        ({"stages": {"fix": {"add_cues": "sorted"}}}, "stages.fix.add_cues"),
        ({"stages": {"fix": {"cues": []}}}, "stages.fix.cues"),
        ({"stages": []}, "stages"),
        ({"clarity": {"kinds": {"jargonn": {}}}}, "clarity.kinds.jargonn"),
        ({"clarity": {"glossary": {"MFA": 3}}}, "clarity.glossary.MFA"),
        ({"clarity": {"allow": [""]}}, "clarity.allow"),
        ({"clarity": {"kinds": {"long_sentence": {"threshold": -1}}}}, "clarity.kinds.long_sentence.threshold"),
    ],
)
def test_config_invalid_names_the_key(data, key):
    with pytest.raises(ConfigError) as info:
        Config.from_dict(data)
    assert info.value.key == key
    assert key in str(info.value)


def test_config_invalid_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[stages\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        Config.load(bad)
    with pytest.raises(ConfigError, match="not found"):
        Config.load(tmp_path / "missing.toml")


def test_config_error_pickles():
    err = ConfigError("stages.fix.threshold", "must be between 0 and 1", "qa.toml")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.key == err.key
