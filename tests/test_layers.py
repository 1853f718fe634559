"""The import graph stays layered: views → domain → database (DEVELOPERS.md, "How a request flows").

Read from the source with ast, so a change that breaks the layering fails here, naming the module.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "learncircle"
FEATURES = ("accounts", "admin", "circles", "discussions", "mail", "moderation", "newcomers", "notices", "people",
            "meetings", "reviews",
            "search")
# The HTTP side of a feature: blueprints, and the forms, loaders, access rules (circle_or_404 answers
# 404) and header badge that serve them and the templates.
HTTP_NAMES = ("views.py", "rubric_views.py", "forms.py", "loading.py", "access.py", "badge.py")
REQUEST_ONLY = {"request", "flash", "session", "g", "redirect", "abort"}


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def name_of(path):
    return ".".join(("learncircle", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


def imports(path):
    """(module imported, names taken from it) for every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name_of(path).split(".") if path.name == "__init__.py" else name_of(path).split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, set()
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names = {alias.name for alias in node.names}
            yield module, names
            for name in names:  # `from . import views` imports a module too
                yield f"{module}.{name}", set()


def is_views(module):
    """A feature's views module: views.py, or one of its own beside it (rubric_views.py, mention_views.py)."""
    return module.rsplit(".", 1)[-1] == "views" or module.endswith("_views")


def feature_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


@pytest.mark.parametrize("path", modules(), ids=lambda path: name_of(path))
def test_only_the_app_factory_imports_views(path):
    if name_of(path) == "learncircle":
        return  # create_app registers every blueprint
    imported_views = [module for module, _ in imports(path) if module.startswith("learncircle.") and is_views(module)]
    assert not imported_views, f"{name_of(path)} imports views: {imported_views}; share a domain module instead"


@pytest.mark.parametrize("path", [p for p in modules() if feature_of(name_of(p)) and p.name not in HTTP_NAMES
                                  and not p.name.endswith("_views.py")
                                  and p.name != "__init__.py" and p.parent.name not in ("facilitator", "participant")
                                  or p.name == "queries.py"],
                         ids=lambda path: name_of(path))
def test_domain_modules_never_touch_the_request(path):
    """Models and domain functions take what they need as arguments: no request, flash or session."""
    used = {name for module, names in imports(path) if module == "flask" for name in names}
    assert not used & REQUEST_ONLY, f"{name_of(path)} imports {sorted(used & REQUEST_ONLY)} from flask"


def test_the_checks_see_the_code():
    """The lists above are not empty by accident (a moved package would make every test pass)."""
    names = {name_of(path) for path in modules()}
    assert {"learncircle.discussions.views", "learncircle.reviews.facilitator.views",
            "learncircle.reviews.solver", "learncircle.reviews.participant.queries"} <= names
    assert any(is_views(module) for module, _ in imports(PACKAGE / "__init__.py"))
    assert ("flask", {"flash"}) in [(module, names & {"flash"}) for module, names in
                                    imports(PACKAGE / "discussions" / "views.py")]


@pytest.mark.parametrize("name", ["web", "timefmt", "assets", "errors", "db", "clock", "text", "housekeeping"])
def test_infrastructure_imports_no_feature(name):
    features = sorted({feature_of(module) for module, _ in imports(PACKAGE / f"{name}.py")} - {None})
    assert not features, f"learncircle.{name} imports the features {features}"
