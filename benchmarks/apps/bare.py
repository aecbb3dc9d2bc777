"""A bare Starlette app with one route (``--route``) and the readiness route: the HTTP baseline."""

from common import READINESS, arguments, serve
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("hello")


async def ready(request):
    return PlainTextResponse("ready")


if __name__ == "__main__":
    parser = arguments(__doc__ or "")
    parser.add_argument("--route", default="/hello")
    args = parser.parse_args()
    serve(Starlette(routes=[Route(READINESS, ready), Route(args.route, hello)]), args.port)
