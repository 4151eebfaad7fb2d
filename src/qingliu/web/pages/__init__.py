"""The dashboard pages (网页): server-rendered, Chinese by default, English with ``?lang=en``.

One module per page group; :data:`router` joins them for the app factory.
"""

from fastapi import APIRouter

from qingliu.web.pages import (
    auth,
    ecology,
    flood,
    imports,
    overview,
    pollution,
    projects,
    reports,
    resources,
    river_map,
    sections,
)

router = APIRouter(include_in_schema=False)
for module in (auth, overview, river_map, sections, ecology, resources, pollution, flood, projects, imports, reports):
    router.include_router(module.router)

__all__ = ["router"]
