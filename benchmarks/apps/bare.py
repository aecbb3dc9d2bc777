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
    parser.add_argument(
        "--access-log", action="store_true", help="uvicorn's default access log, one line a request"
    )
    args = parser.parse_args()
    app = Starlette(routes=[Route(READINESS, ready), Route(args.route, hello)])
    serve(app, args.port, access_log=args.access_log)
