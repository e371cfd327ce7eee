"""What Gradescope, developers and students install is one set of pins."""

import re
import zipfile

import yaml

from autograder.paths import ASSIGNMENT, REQUIREMENTS


def pins(text: str) -> dict[str, str]:
    """Package name (lowercase) -> pinned version, for every ``name==version`` line (markers dropped)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;]+)", line.strip())
        if match:
            found.setdefault(match[1].lower().replace("_", "-"), match[3])
    return found


def test_gradescope_gets_exactly_the_versions_developers_test_with():
    gradescope, dev = pins((REQUIREMENTS / "gradescope.txt").read_text()), pins((REQUIREMENTS / "lock.txt").read_text())
    assert gradescope and {name: dev.get(name) for name in gradescope} == gradescope
    top_level = pins((REQUIREMENTS / "grading.txt").read_text())
    assert {name: gradescope.get(name) for name in top_level} == top_level
    assert gradescope["torch"] == "2.13.0+cpu" and not any(name.startswith("nvidia-") for name in gradescope)


def test_the_autograder_installs_the_gradescope_lock_with_cpu_torch(dist):
    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        environment = yaml.safe_load(zf.read("environment.yml"))
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    expected = [line for line in (REQUIREMENTS / "gradescope.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert pip_section == expected
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip_section and "torch==2.13.0+cpu" in pip_section


def test_students_install_the_graders_versions_cpu_by_default():
    grading = pins((REQUIREMENTS / "gradescope.txt").read_text())
    for name in ("requirements.txt", "requirements-gpu.txt"):
        student = pins((ASSIGNMENT / name).read_text())
        assert student["torch"].split("+")[0] == grading["torch"].split("+")[0]
        assert {k: grading[k] for k in ("hypothesis", "numpy")} == {k: student[k] for k in ("hypothesis", "numpy")}
    cpu = (ASSIGNMENT / "requirements.txt").read_text()
    assert 'torch==2.13.0+cpu ; sys_platform != "darwin"' in cpu and "download.pytorch.org/whl/cpu" in cpu
