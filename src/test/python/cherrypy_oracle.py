#!/usr/bin/python3
"""CherryPy as the oracle for rtcsound's od.config reader.

Reads file paths, one per line, on stdin. For each, writes one JSON line on stdout:

  {"name": path, "ok": true, "pure": bool, "config": canonical}
  {"name": path, "ok": false, "error": "ExceptionClass: message"}

ok: cherrypy.lib.reprconf.Config(path) succeeded, exactly as abcdesktop's pyos reads
od.config. config: the result in a canonical form that rtcsound's
OdConfigReader.canonical produces too (see canonical() below). pure: every value that
CherryPy evaluated is built only from literals, containers, unary -, binary + and *, and
subscripts (see is_pure()); rtcsound refuses everything else on purpose.

A file must not change what CherryPy does with the next one: unrepr imports modules named
in a value and calls functions, and Config hands sections named server.*, engine.*,
tree.*, log.* or checker.* to CherryPy's namespace handlers, which set attributes on
CherryPy's global objects. So a file with an impure value or such a section is read in a
child process forked from this one (after CherryPy is imported), with its stdin and
stdout on /dev/null, a CPU-time limit and an alarm; the parent kills it when it takes too
long. Every other file is read here, under an alarm: evaluating literals, containers,
-, + and * and subscripts of builtin values changes nothing. (A file whose check fails
half-way is safe here too: CherryPy evaluates its values in the same order and fails at
the same value, after only pure ones.) The whole process has a memory limit, so that
'x' * 10**9-like values end in MemoryError.

Run with Debian's /usr/bin/python3 in UTF-8 mode (-X utf8 or PYTHONUTF8=1): CherryPy opens
the file with open(filename), whose encoding is then UTF-8 whatever the locale.
"""

import ast
import json
import os
import resource
import select
import signal
import struct
import sys
import time

PER_FILE_SECONDS = 5
KILL_AFTER_SECONDS = 15
MEMORY_LIMIT = 2 << 30
ERROR_CHARS = 300

try:
    import cherrypy.lib.reprconf as reprconf
except BaseException as e:  # noqa: BLE001 - anything here means: no usable CherryPy
    sys.stderr.write('cherrypy_oracle: cannot import cherrypy.lib.reprconf (%s: %s); '
                     'install the Debian package python3-cherrypy3\n' % (type(e).__name__, e))
    sys.exit(3)


# ---------------------------------------------------------------- canonical form

def hex64(x):
    if x != x:
        return 'nan'
    return '%016x' % struct.unpack('>Q', struct.pack('>d', x))[0]


def s(text):
    return 's' + text.encode('utf-16-be', 'surrogatepass').hex()


def c(v):
    t = type(v)
    if v is None:
        return 'N'
    if v is True:
        return 'T'
    if v is False:
        return 'F'
    if v is Ellipsis:
        return 'E'
    if t is int:
        return 'i' + int_to_decimal(v)
    if t is float:
        return 'fnan' if v != v else 'f' + hex64(v)
    if t is complex:
        return 'c' + hex64(v.real) + ',' + hex64(v.imag)
    if t is str:
        return s(v)
    if t is bytes:
        return 'b' + v.hex()
    if t is list:
        return '[' + ','.join(c(x) for x in v) + ']'
    if t is tuple:
        return '(' + ','.join(c(x) for x in v) + ')'
    if t is dict:
        return '{' + ','.join(c(k) + ':' + c(x) for k, x in v.items()) + '}'
    return '?' + t.__name__


def int_to_decimal(v):
    # Python 3.11 refuses str() of an int with more than 4300 digits; CherryPy never
    # converts, so neither does the canonical form: lift the limit only here.
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return str(v)
    finally:
        sys.set_int_max_str_digits(old)


def canonical(config):
    out = []
    for section, options in config.items():
        out.append('[' + s(section) + ']')
        if type(options) is not dict:  # Config only ever holds section dicts; be explicit if not
            out.append('?' + type(options).__name__)
            continue
        for option, value in options.items():
            out.append(s(option) + '=' + c(value) + ';')
    return ''.join(out)


# ---------------------------------------------------------------- purity

def is_pure_expression(node):
    for n in ast.walk(node):
        t = type(n)
        if t in (ast.Constant, ast.List, ast.Tuple, ast.Dict, ast.Load, ast.USub, ast.Add, ast.Mult):
            continue  # a Dict's None key (from **) is not a node: ast.walk skips it
        if t is ast.UnaryOp and type(n.op) is ast.USub:
            continue
        if t is ast.BinOp and type(n.op) in (ast.Add, ast.Mult):
            continue
        if t is ast.Subscript and type(n.slice) is not ast.Slice:
            continue
        return False
    return True


def is_pure_value(text):
    """text as CherryPy hands it to unrepr; ast.parse exactly as unrepr does."""
    if not text:
        return True  # unrepr('') is '' without parsing
    module = ast.parse('__tempvalue__ = ' + text)
    if type(module) is not ast.Module or module.type_ignores or not module.body:
        return False
    first = module.body[0]
    if type(first) is not ast.Assign or len(first.targets) != 1:
        return False
    target = first.targets[0]
    if type(target) is not ast.Name or target.id != '__tempvalue__' or type(target.ctx) is not ast.Store:
        return False
    if not is_pure_expression(first.value):
        return False
    for statement in module.body[1:]:
        if type(statement) is not ast.Expr or not is_pure_expression(statement.value):
            return False
    return True


def is_pure_file(path):
    # The strings Parser.as_dict hands to unrepr: the same parser, the same get().
    parser = reprconf.Parser()
    parser.read(path)
    for section in parser.sections():
        for option in parser.options(section):
            if not is_pure_value(parser.get(section, option)):
                return False
    return True


# ---------------------------------------------------------------- one file

def error_text(e):
    try:
        message = str(e)
    except BaseException:  # noqa: BLE001
        message = '<str() failed>'
    return type(e).__name__ + ': ' + message[:ERROR_CHARS]


class Timeout(BaseException):
    pass


def on_alarm(signum, frame):
    raise Timeout('more than %d s' % PER_FILE_SECONDS)


def examine(path):
    try:
        config = reprconf.Config(path)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - SystemExit from exit() in a value, too
        return {'name': path, 'ok': False, 'error': error_text(e)}
    try:
        text = canonical(config)
        pure = is_pure_file(path)
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001
        # CherryPy read the file, but the oracle could not describe the result (a
        # timeout, memory): say so plainly rather than pretend CherryPy refused it.
        return {'name': path, 'ok': False, 'error': 'OracleFailure: ' + error_text(e)}
    return {'name': path, 'ok': True, 'pure': pure, 'config': text}


def child(path, out_fd):
    try:
        # A value may call print() or input(), or import a module that prints: keep
        # the child away from the parent's stdin and stdout.
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        sys.stdin = open(os.devnull)
        sys.stdout = open(os.devnull, 'w')
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (KILL_AFTER_SECONDS, KILL_AFTER_SECONDS + 1))
        except (ValueError, OSError):
            pass
        signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(PER_FILE_SECONDS)
        result = examine(path)
        signal.alarm(0)
        data = json.dumps(result).encode('ascii')
    except BaseException as e:  # noqa: BLE001
        data = json.dumps({'name': path, 'ok': False, 'error': 'OracleFailure: ' + error_text(e)}).encode('ascii')
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(out_fd, view):]
    finally:
        os._exit(0)


def needs_isolation(path):
    """True when reading the file could change CherryPy's state or this process's."""
    try:
        parser = reprconf.Parser()
        parser.read(path)
        for section in parser.sections():
            head, dot, _ = section.partition('.')
            if dot and head in reprconf.Config.namespaces:
                return True
        for section in parser.sections():
            for option in parser.options(section):
                if not is_pure_value(parser.get(section, option)):
                    return True
        return False
    except KeyboardInterrupt:
        raise
    except Exception:  # noqa: BLE001 - CherryPy fails at the same place, see above
        return False
    except BaseException:  # noqa: BLE001 - a timeout: do not guess
        return True


def run_here(path):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(PER_FILE_SECONDS)
    try:
        isolate = needs_isolation(path)
        if not isolate:
            return examine(path)
    except Timeout:
        isolate = True
    finally:
        signal.alarm(0)
    return run_forked(path)


def run_forked(path):
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        child(path, w)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + KILL_AFTER_SECONDS
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([r], [], [], left)
            if not ready:
                continue
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if timed_out:
        return {'name': path, 'ok': False, 'error': 'OracleFailure: killed after %d s' % KILL_AFTER_SECONDS}
    data = b''.join(chunks)
    if not data:
        how = ('signal %d' % os.WTERMSIG(status)) if os.WIFSIGNALED(status) else ('exit %d' % os.WEXITSTATUS(status))
        return {'name': path, 'ok': False, 'error': 'OracleFailure: the child died (%s)' % how}
    try:
        return json.loads(data)
    except ValueError as e:
        return {'name': path, 'ok': False, 'error': 'OracleFailure: ' + error_text(e)}


def main():
    if not sys.flags.utf8_mode:
        sys.stderr.write('cherrypy_oracle: run in UTF-8 mode: /usr/bin/python3 -X utf8 %s\n' % sys.argv[0])
        return 2
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    for line in sys.stdin:
        path = line.rstrip('\n')
        if not path:
            continue
        sys.stdout.write(json.dumps(run_here(path)) + '\n')
        sys.stdout.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
