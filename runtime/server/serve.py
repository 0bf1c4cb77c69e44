"""`python -m runtime serve MODEL`: bind first (a busy port fails at once), load the model, then answer
until Ctrl-C. Prints one line with the address once it is ready; logs a line per request to stderr.
"""
import sys

from ..engine import Engine
from ..errors import OctetError
from ..paths import resolve_model
from .completions import Preparer
from .engine_queue import EngineQueue
from .http_server import Server
from .security import Guard, allowed_hosts, api_key, check_bind, host_name


def run_server(args) -> None:
    key = api_key(args.api_key)
    check_bind(args.host, key)
    path = resolve_model(args.model)
    model_id = args.model_name or path.stem
    engine = Engine(device=args.device, kv_cache=args.kv_cache)
    try:
        server = Server((args.host, args.port))
    except OSError as error:
        raise OctetError(f"cannot listen on {args.host}:{args.port} ({error.strerror or error})") from None
    with server:
        port = server.server_address[1]
        server.guard = Guard(allowed_hosts(args.host, port, args.allow_host), key, args.cors_origin)
        engine.load(path, context_length=args.context)
        engine_queue = EngineQueue(engine, max_waiting=args.max_queue)
        server.attach(engine_queue, Preparer(engine), model_id)
        print(f"Octet serves {model_id} at http://{host_name(args.host)}:{port}/v1 "
              f"(context {engine.context_length} tokens{', API key required' if key else ''}); Ctrl-C stops it",
              flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
        finally:
            engine_queue.close()
