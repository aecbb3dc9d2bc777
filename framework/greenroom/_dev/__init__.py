"""``greenroom package start``: a development backend restarted on change, and its data store.

The parent (the CLI process) watches the files and owns the development
session (``host``); each backend it starts is a child process (``child``)
that reaches the session through ``client``: to hand over and take back
values (``store``) and to say when it is ready.
"""
