"""Greenroom with its plugins started, then a failing import timed (no server).

The backend ``greenroom start --config`` would build, started in-process:
every dynamic plugin imported through the loader's finder and initialised.
"""

import asyncio
import sys

from common import arguments, time_failed_import

if __name__ == "__main__":
    parser = arguments(__doc__ or "")
    parser.add_argument("--config", required=True)
    args = parser.parse_args()

    from greenroom._backend.backend import create_backend
    from greenroom._config import load_config
    from greenroom._dynamic.feature_loader import dynamic_plugins_feature_loader

    backend = create_backend(load_config([args.config]), [dynamic_plugins_feature_loader])

    async def started() -> None:
        await backend.start()

    asyncio.run(started())
    loaded = sum(1 for name in backend.plugins if name.startswith("bench-"))
    print(f"{loaded} plugins started", file=sys.stderr)
    time_failed_import(args.repeat)
