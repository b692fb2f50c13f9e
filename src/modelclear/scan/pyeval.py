"""How the Python scanner evaluates literals, operators, subscripts and calls.

:class:`Evaluators` is the part of :class:`modelclear.scan.pyresolve.Resolver` that turns one kind of
expression into its candidate values once its operands are resolved: f-strings and containers,
``+``/``/``/``%``, ``and``/``or``, conditional expressions, subscripts of literal dicts and tuples,
and the calls whose result is known without running code (``os.environ.get``/``os.getenv`` defaults,
``os.path.join``/``Path``, ``urljoin``, ``str(...)``, ``dict(...)``, ``str`` and ``dict`` methods, the module's own
functions through their ``return`` values, constants returned by functions of other project
modules). Any other call is an :class:`~modelclear.scan.pyvalues.Opaque` object (marked ``loader``
when the call is itself a loader call). The methods run as methods of the resolver, which owns the
names, bindings, budgets and memos.
"""

from __future__ import annotations

import ast
import itertools
import posixpath
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar, cast

from modelclear.scan.pyenv import deployment_values
from modelclear.scan.pyflowscopes import module_attribute
from modelclear.scan.pyindex import ClassRef, FuncRef, ModuleIndex, Param, Scope
from modelclear.scan.pyregistry import enum_class, enum_values
from modelclear.scan.pyvalues import (
    _MISSING,
    MAX_UNION,
    Instance,
    OneOf,
    Opaque,
    PathStr,
    QName,
    Res,
    UnknownValue,
    _known,
    _unknown,
    expr_text,
    flatten,
)

#: ``str`` methods evaluated on known strings.
STR_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "casefold", "replace",
                         "removeprefix", "removesuffix", "format", "join", "zfill"})
T = TypeVar("T")
#: Most keyword arguments of a project class's constructor call kept as an :class:`Instance`'s fields.
MAX_FIELDS = 32
_ENV_CALLS = ("os.getenv", "os.environ.get", "environ.get", "os.environ.setdefault", "getenv")
_URLJOIN_CALLS = ("urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin")
#: Path functions whose result is their argument for our purposes (``expanduser`` of a value without ``~``
#: is that value; ``normpath`` only tidies separators and dots).
_PATH_SAME_CALLS = ("os.path.expanduser", "posixpath.expanduser", "os.path.normpath", "posixpath.normpath")
_PATH_CALLS = ("os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath",
               "pathlib.PurePosixPath", "pathlib.PosixPath", "Path")


class Evaluators:
    """Evaluation of literals, operators, subscripts and calls (mixed into the resolver)."""

    #: Environment variable -> values the project's deployment files set (``ScanContext.project_env``).
    project_env: Mapping[str, tuple[object, ...]] = {}

    if TYPE_CHECKING:  # provided by :class:`~modelclear.scan.pyresolve.Resolver`
        _is_loader_call: object

        def resolve(self, node: ast.expr, scope: Scope, depth: int = 0) -> Res: ...
        def call_qualname(self, func: ast.expr) -> str: ...
        def project_lookup(self, module: str, name: str) -> object: ...
        def _returns_of(self, fscope: Scope, node: ast.Call, depth: int) -> Res: ...
        def iterate(self, res: Res) -> Res: ...
        def attr_lookup(self, attr: str, node: ast.expr, depth: int) -> Res: ...
        index: ModuleIndex

    # -- literals
    def _r_Constant(self, node: ast.Constant, scope: Scope, depth: int) -> Res:
        return _known(node.value)

    def _r_JoinedStr(self, node: ast.JoinedStr, scope: Scope, depth: int) -> Res:
        parts: list[list[str]] = []
        out = Res()
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append([str(value.value)])
                continue
            inner = value.value if isinstance(value, ast.FormattedValue) else value
            res = self.resolve(inner, scope, depth)
            out.indirect = out.indirect or res.indirect
            out.dropped = out.dropped or res.dropped
            out.notes.extend(n for n in res.notes if n not in out.notes)
            strs = [str(v) for v in res.values if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
            if res.unknown or not strs or len(strs) != len(res.values):
                return _unknown(expr_text(node)).add(Res(notes=out.notes))
            parts.append(strs)
        for combo in product(parts, out):
            out.values.append("".join(combo))
        return out

    def _container(self, elts: list[ast.expr], scope: Scope, depth: int) -> Res:
        items: list[object] = []
        indirect = False
        for elt in elts:
            if isinstance(elt, ast.Starred):
                res = self.resolve(elt.value, scope, depth)
                indirect = indirect or res.indirect
                for value in res.values:
                    if isinstance(value, tuple):
                        items.extend(value)
                continue
            res = self.resolve(elt, scope, depth)
            indirect = indirect or res.indirect
            if len(res.values) == 1 and not res.unknown:
                items.append(res.values[0])
            elif res.values:
                items.append(OneOf(tuple(res.values)))
            else:
                items.append(Opaque(expr_text(elt)))
        return _known(tuple(items), indirect=indirect)

    def _r_List(self, node: ast.List, scope: Scope, depth: int) -> Res:
        return self._container(node.elts, scope, depth)

    _r_Tuple = _r_List
    _r_Set = _r_List

    def _r_Dict(self, node: ast.Dict, scope: Scope, depth: int) -> Res:
        out: dict[object, object] = {}
        indirect = False
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                res = self.resolve(value, scope, depth)
                for v in res.values:
                    if isinstance(v, dict):
                        out.update(v)
                continue
            kres = self.resolve(key, scope, depth)
            vres = self.resolve(value, scope, depth)
            indirect = indirect or kres.indirect or vres.indirect
            stored: object = (vres.values[0] if len(vres.values) == 1 and not vres.unknown
                              else OneOf(tuple(vres.values)) if vres.values else Opaque(expr_text(value)))
            for k in kres.values:
                if isinstance(k, (str, int, float, bool)) or k is None:
                    out[k] = stored
        return _known(out, indirect=indirect)


    # -- subscripts
    def _r_Subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Res:
        owner_text = expr_text(node.value)
        if owner_text in ("os.environ", "environ"):
            key = self.resolve(node.slice, scope, depth)
            name = key.values[0] if key.values else expr_text(node.slice)
            deployed = deployment_values(str(name), self.project_env)  # .env / compose / Dockerfile
            return deployed if deployed is not None else _unknown(expr_text(node), note=f"environment variable {name}")
        if owner_text == "sys.argv":
            return _unknown(expr_text(node), note="command-line argument")
        base = self.resolve(node.value, scope, depth)
        if not base.values:
            options = self._options_key(node.value, node.slice, scope, node, depth)
            if options is not None and options.values:
                return options
        key = self.resolve(node.slice, scope, depth)
        out = Res(indirect=True, unknown=list(base.unknown), notes=list(base.notes) + list(key.notes))
        # `MODELS[size]` where `size` is a parameter no call of this module passes: its default is one
        # choice, the caller may name any other entry of the registry (issue 10, cause 2)
        chosen_by_caller = self._caller_chosen(node.slice, scope)
        # `config["dataset"]` where `config` is one of several records (`CONFIGS[args.name]`): a literal key
        # some record holds is that field; a record without it gives nothing, not its other fields (the
        # column names "image", "label" were taken for dataset ids, huggingface/peft) (issue 10)
        # A literal key no candidate record holds reads nothing known (a guard such as `if "dataset" in config`
        # keeps the lookup from running for them): the value is unknown, not every field of the record.
        field_lookup = isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
        if field_lookup and not any(isinstance(c, dict) and _hashable(k) and k in c
                                    for c in base.values for k in key.values):
            out.add(_unknown(expr_text(node)))
        for container in base.values:
            if isinstance(container, QName) and container.name.endswith(".__dict__"):
                # `torchaudio.pipelines.__dict__[name]`: the module's attribute of that name (issue 10)
                out.add(self._module_attrs(container.name[: -len(".__dict__")], key, node))
            elif isinstance(container, ClassRef) and enum_class(container.scope):  # Models[name] (issue 10)
                out.add(enum_values(self, container.scope, key, depth))  # type: ignore[arg-type]
            elif isinstance(container, dict):
                # a lookup none of whose known keys is in the dict runs under a guard we do not follow
                # (`if name in URLS: url = URLS[name]`): any entry may be read (issue 10, cause 2)
                if key.values and not key.unknown and any(_hashable(k) and k in container for k in key.values):
                    for k in key.values:
                        if _hashable(k) and k in container:
                            out.add(_known(*flatten(container[k])))
                    if chosen_by_caller:
                        for k, v in container.items():
                            if k not in key.values:
                                out.add(_known(*flatten(v)))
                elif not field_lookup:
                    for v in container.values():
                        out.add(_known(*flatten(v)))
            elif isinstance(container, (tuple, str)):
                if key.values and not key.unknown and not (chosen_by_caller and isinstance(container, tuple)):
                    for k in key.values:
                        if isinstance(k, int) and not isinstance(k, bool) and -len(container) <= k < len(container):
                            out.add(_known(*flatten(container[k])))
                elif isinstance(container, tuple):
                    for v in container:
                        out.add(_known(*flatten(v)))
            else:
                out.add(_unknown(expr_text(node)))
        if not base.values and not out.unknown:
            out.add(_unknown(expr_text(node)))
        return out

    def _caller_chosen(self, key: ast.expr, scope: Scope) -> bool:
        """Whether ``key`` is chosen outside this module: a parameter of the enclosing function that no call in
        this module passes (a caller elsewhere chooses it), or a command-line option read as ``args.name``
        (whoever runs the script chooses it). Its default is one choice among the registry's entries; the
        others may be loaded too (issue 10: what is not listed must not be loaded)."""
        if isinstance(key, ast.Attribute):
            return isinstance(key.value, ast.Name) and key.attr in self.index.argparse_dests
        if not isinstance(key, ast.Name):
            return False
        param = scope.params.get(key.id)
        if param is None or param.cli or param.func == "<lambda>":
            return False
        if self._bound_here(param):
            return False  # the call being followed gives it (`load_model(name)` from another module): its choice
        kind = ast.Attribute if param.method else ast.Name
        # (`AutoTokenizer.from_pretrained(...)` in the module calls the library's method, not this one)
        if any(isinstance(call.func, kind) and not module_attribute(call.func, self.index.imports)
               for call, _ in self.index.call_sites.get(param.func, ())):
            return False
        if param.func == "__init__" and param.method and param.outer.kind == "class" and param.outer.name:
            built = self.index.call_sites.get(param.outer.name, ())
            return not any(isinstance(call.func, ast.Name) for call, _ in built)
        return True

    @staticmethod
    def _flag_param(name: ast.Name, scope: Scope) -> bool:
        """Whether ``name`` is a parameter of the enclosing function with a ``True`` / ``False`` default."""
        param = scope.params.get(name.id)
        default = param.default if param is not None else None
        return isinstance(default, ast.Constant) and isinstance(default.value, bool)

    def _bound_here(self, param: Param) -> bool:
        """Whether this evaluation follows one call that gives ``param`` its value (a resolver seeded with a
        caller's arguments, not a summary's markers): the key it passes is the caller's choice, not any entry."""
        seeds = getattr(self, "seeds", None)
        return isinstance(seeds, dict) and id(param) in seeds and not getattr(self, "summary", False)

    # -- operators
    def _r_BinOp(self, node: ast.BinOp, scope: Scope, depth: int) -> Res:
        left = self.resolve(node.left, scope, depth)
        right = self.resolve(node.right, scope, depth)
        out = Res(indirect=left.indirect or right.indirect, notes=left.notes + right.notes,
                  dropped=left.dropped or right.dropped)
        if left.unknown or right.unknown or not left.values or not right.values:
            return out.add(_unknown(expr_text(node)))
        for a, b in product([left.values, right.values], out):
            value = _binop(node.op, a, b)
            if value is _MISSING:
                return out.add(_unknown(expr_text(node)))
            out.add(_known(value))
        return out

    def _r_BoolOp(self, node: ast.BoolOp, scope: Scope, depth: int) -> Res:
        out = Res(indirect=True)
        for index, value in enumerate(node.values):
            res = self.resolve(value, scope, depth)
            last = index == len(node.values) - 1
            if isinstance(node.op, ast.Or):
                # `os.getenv("A") or "org/default"`: an unset variable falls through to the default, like
                # `os.getenv("A", "org/default")` (a variable the deployment sets has its values) (issue 10)
                unknown = [] if not last and (self._env_read(value, scope) or _unset_option(res)) else res.unknown
                out.add(Res(values=[v for v in res.values if v or last or isinstance(v, (Opaque, QName))],
                            unknown=unknown, notes=res.notes))
                if res.values and not res.unknown and all(
                        (bool(v) or isinstance(v, (Opaque, QName))) and not isinstance(v, UnknownValue)
                        for v in res.values):
                    break
            elif last:
                out.add(res)
        return out

    def _env_read(self, node: ast.expr, scope: Scope) -> bool:
        """Whether ``node`` reads an environment variable (``os.getenv``, ``os.environ.get``/``[...]``)."""
        if isinstance(node, ast.Call):
            return self.call_qualname(node.func) in _ENV_CALLS
        return isinstance(node, ast.Subscript) and expr_text(node.value) in ("os.environ", "environ")

    def _r_IfExp(self, node: ast.IfExp, scope: Scope, depth: int) -> Res:
        test = self.resolve(node.test, scope, depth)
        # `NANO_REPO_ID if nano else REPO_ID` with `nano=False`: a flag parameter no call of this module passes is
        # the caller's to switch, its default only one choice; either branch may be loaded (issue 10)
        flag = node.test.operand if isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not) \
            else node.test
        if isinstance(flag, ast.Name) and self._flag_param(flag, scope) and self._caller_chosen(flag, scope):
            test = Res()
        if len(test.values) == 1 and not test.unknown and isinstance(test.values[0], (bool, int, str, type(None))):
            chosen = node.body if test.values[0] else node.orelse
            out = self.resolve(chosen, scope, depth)
            out.indirect = True
            return out
        out = self.resolve(node.body, scope, depth).add(self.resolve(node.orelse, scope, depth))
        out.indirect = True
        return out

    def _r_NamedExpr(self, node: ast.NamedExpr, scope: Scope, depth: int) -> Res:
        return self.resolve(node.value, scope, depth)

    def _r_Starred(self, node: ast.Starred, scope: Scope, depth: int) -> Res:
        return self.resolve(node.value, scope, depth)

    def _r_Await(self, node: ast.Await, scope: Scope, depth: int) -> Res:
        return _known(Opaque(expr_text(node)), indirect=True)

    # -- calls
    def _options_key(self, owner: ast.expr, key: ast.expr, scope: Scope, node: ast.expr, depth: int) -> Res | None:
        """``args["model"]`` / ``args.pop("model")`` / ``args.get("model")`` of a parameter nothing in the
        module gives a value (``def transcribe_task(args: dict, parser)``, called from another module with
        ``parser.parse_args().__dict__``): the option or field of that name, as for ``args.model``
        (:meth:`attr_lookup`; empty when no option has that name); None when ``owner`` is not such a
        parameter or the key not a literal."""
        if not (isinstance(owner, ast.Name) and owner.id in scope.params and owner.id not in scope.assigns
                and isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isidentifier()):
            return None
        found = self.attr_lookup(key.value, node, depth)
        return found if found.values else Res(indirect=True)

    def _r_Call(self, node: ast.Call, scope: Scope, depth: int) -> Res:
        func = node.func
        dotted = self.call_qualname(func)
        if dotted in _ENV_CALLS:
            return self._env(node, scope, depth)
        if dotted in _PATH_CALLS:
            parts = [self.resolve(a, scope, depth) for a in node.args]
            return self._join(parts, node, "/", path=True)
        if dotted in _PATH_SAME_CALLS and len(node.args) == 1:
            # `os.path.expanduser(args.model_path)` leaves a Hub id (no leading "~") as it is, `normpath` only
            # tidies separators: the value goes on to the loader (haotian-liu/LLaVA's eval scripts) (issue 10)
            res = self.resolve(node.args[0], scope, depth)
            out = Res(indirect=True, unknown=list(res.unknown), notes=list(res.notes), dropped=res.dropped)
            for value in res.values:
                if isinstance(value, str) and value and dotted.endswith("normpath"):
                    tidy = posixpath.normpath(value)
                    value = PathStr(tidy) if isinstance(value, PathStr) else tidy
                out.add(_known(value))
            return out
        if dotted in _URLJOIN_CALLS and len(node.args) == 2:  # a base address and a file name (issue 10)
            return self._urljoin([self.resolve(a, scope, depth) for a in node.args], node)
        if dotted in ("str", "builtins.str") and len(node.args) == 1:
            inner = self.resolve(node.args[0], scope, depth)
            return Res(values=[str(v) if isinstance(v, (str, int, float)) else v for v in inner.values],
                       unknown=inner.unknown, indirect=inner.indirect, notes=inner.notes)
        if dotted in ("list", "tuple", "sorted", "set", "frozenset") and len(node.args) == 1 and not node.keywords:
            items = self.iterate(self.resolve(node.args[0], scope, depth))  # list(MODELS.keys()) (issue 10)
            if items.values:
                return Res(values=[tuple(items.values)], unknown=items.unknown, indirect=True, notes=items.notes,
                           dropped=items.dropped)
            return Res(unknown=items.unknown or [expr_text(node)], indirect=True, notes=items.notes)
        if dotted in ("next", "builtins.next") and node.args and isinstance(node.args[0], ast.GeneratorExp):
            # `next(m for m in PRETRAINED if m.name == name)`: one of the items the generator yields (the
            # filter is not followed: any entry of the registry may be the one), or the default (issue 10)
            item = self.resolve(node.args[0].elt, scope, depth)
            out_next = Res(values=list(item.values), unknown=list(item.unknown), indirect=True,
                           notes=list(item.notes), dropped=item.dropped)
            for default in node.args[1:2]:
                if not (isinstance(default, ast.Constant) and default.value is None):  # None: nothing found
                    out_next.add(self.resolve(default, scope, depth))
            return out_next
        if dotted in ("vars", "builtins.vars") and len(node.args) == 1 and self._parsed_args(
                node.args[0], scope, depth):
            return self._options_dict(depth)  # vars(parser.parse_args())["model"] (issue 10)
        if dotted in ("getattr", "builtins.getattr") and len(node.args) >= 2:
            owner = self.resolve(node.args[0], scope, depth)
            modules = [v for v in owner.values if isinstance(v, QName)]
            if modules:  # getattr(torchvision.models, name): the module's attribute of that name (issue 10)
                key = self.resolve(node.args[1], scope, depth)
                out_attrs = Res(indirect=True)
                for owner_module in modules:
                    out_attrs.add(self._module_attrs(owner_module.name, key, node))
                return out_attrs
        if dotted in ("dict", "builtins.dict") and not node.args:
            mapping: dict[object, object] = {}
            for kw in node.keywords:
                if kw.arg:
                    res = self.resolve(kw.value, scope, depth)
                    mapping[kw.arg] = (res.values[0] if len(res.values) == 1 and not res.unknown
                                       else OneOf(tuple(res.values)) if res.values else Opaque(expr_text(kw.value)))
            return _known(mapping, indirect=True)
        if isinstance(func, ast.Attribute):
            method = func.attr
            if method in STR_METHODS or method in ("get", "keys", "values", "items", "pop"):
                receiver = self.resolve(func.value, scope, depth)
                handled = self._method(method, receiver, node, scope, depth)
                if handled is not None:
                    return handled
                if method in ("get", "pop") and not receiver.values and node.args:
                    options = self._options_key(func.value, node.args[0], scope, node, depth)
                    if options is not None and (options.values or len(node.args) > 1):
                        if len(node.args) > 1:  # the call's default, when the key is missing
                            options.add(self.resolve(node.args[1], scope, depth))
                        return options
                first = node.args[0] if node.args else None
                if method == "get" and len(node.args) > 1 and isinstance(first, ast.Constant) \
                        and isinstance(first.value, str) and all(isinstance(v, Opaque) for v in receiver.values) \
                        and (receiver.values or self._options_key(func.value, first, scope, node, depth) is None):
                    # `config.get("model", "org/name")` of a mapping read at run time (a TOML / JSON / YAML file):
                    # its default is the value when the file has no such key, as for an environment variable's
                    # default (issue 10)
                    fallback = self.resolve(node.args[1], scope, depth)
                    fallback.indirect = True
                    fallback.notes.append(f"default of key {first.value!r} of {expr_text(func.value)}")
                    return fallback
        named = [kw for kw in node.keywords if kw.arg is not None][:MAX_FIELDS]
        fields = self._namedtuple_fields(func) if node.args else []
        if fields and not any(isinstance(a, ast.Starred) for a in node.args):
            # `ModelInfo("x4", "https://...")` of `ModelInfo = namedtuple("ModelInfo", ["name", "url"])`: a
            # record of those fields in order (a list of them is a registry, issue 10 cause 2)
            given = [ast.keyword(arg=name, value=arg) for name, arg in zip(fields, node.args, strict=False)]
            return _known(self._instance(None, (given + named)[:MAX_FIELDS], node, scope, depth), indirect=True)
        target = self.resolve(func, scope, depth) if isinstance(func, (ast.Name, ast.Attribute)) else Res()
        out = Res(indirect=True)
        for value in target.values:
            if isinstance(value, QName):
                module, _, last = value.name.rpartition(".")
                found = self.project_lookup(module, f"{last}()") if module else _MISSING
                if found is not _MISSING:
                    out.add(_known(*flatten(found), indirect=True))
                    out.notes.append(f"returned by {value.name}()")
                elif named and module and last[:1].isupper() and not (
                        self._is_loader_call and self._is_loader_call(node, dotted)):  # type: ignore[operator]
                    out.add(_known(self._instance(value, named, node, scope, depth)))
                continue
            if isinstance(value, FuncRef):
                if value.scope.returns:
                    out.add(self._returns_of(value.scope, node, depth))
                else:
                    out.add(_known(Opaque(expr_text(node))))
            elif isinstance(value, ClassRef) and not enum_class(value.scope) and (
                    given := (_positional_fields(value.scope.node, node.args) + named)[:MAX_FIELDS]):
                # `Info("org/a", "a.safetensors")` of a dataclass or NamedTuple: positional arguments are its
                # fields in order (a list of such records is a registry, issue 10 cause 2)
                out.add(_known(self._instance(ClassRef(value.scope), given, node, scope, depth)))
            elif isinstance(value, ClassRef):
                out.add(_known(ClassRef(value.scope)))
        if out.values or out.unknown:
            return out
        loader = bool(self._is_loader_call and self._is_loader_call(node, dotted))  # type: ignore[operator]
        return _known(Opaque(expr_text(node), loader=loader), indirect=True)

    def _namedtuple_fields(self, func: ast.expr) -> list[str]:
        """The field names of a module-level ``Name = namedtuple("Name", [...] or "a b")`` that ``func`` names."""
        if not isinstance(func, ast.Name):
            return []
        bindings = self.index.module.assigns.get(func.id, ())
        if len(bindings) != 1 or bindings[0][0] != "value" or not isinstance(bindings[0][1], ast.Call):
            return []
        factory = bindings[0][1]
        if self.call_qualname(factory.func) not in _NAMEDTUPLE or len(factory.args) < 2:
            return []
        spec = factory.args[1]
        if isinstance(spec, ast.Constant) and isinstance(spec.value, str):
            names = spec.value.replace(",", " ").split()
        elif isinstance(spec, (ast.List, ast.Tuple)):
            names = [e.value for e in spec.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(names) != len(spec.elts):
                return []
        else:
            return []
        return names[:MAX_FIELDS] if all(n.isidentifier() for n in names) else []

    def _parsed_args(self, node: ast.expr, scope: Scope, depth: int) -> bool:
        """Whether ``node`` is the namespace argparse returns (``parser.parse_args()`` or a name bound to it)."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "parse_args", "parse_known_args"):
            return True
        if isinstance(node, ast.Name):
            res = self.resolve(node, scope, depth)
            return bool(res.values) and all(isinstance(v, Opaque) and v.text.endswith(("parse_args()", "parse_args"))
                                            for v in res.values)
        return False

    def _options_dict(self, depth: int) -> Res:
        """``vars(args)`` / ``args.__dict__`` of the module's argparse namespace: option -> its default."""
        mapping: dict[object, object] = {}
        for dest in list(self.index.argparse_dests)[:MAX_FIELDS * 2]:
            res = self.attr_lookup(dest, ast.Name(id=dest), depth)
            values = [v for v in res.values if not isinstance(v, Opaque)]
            mapping[dest] = values[0] if len(values) == 1 and not res.unknown else OneOf(tuple(values)) \
                if values else Opaque(f"--{dest}")
        return _known(mapping, indirect=True)

    @staticmethod
    def _module_attrs(module: str, key: Res, node: ast.expr) -> Res:
        """``module.<name>`` for each identifier ``key`` may be (an imported module's attribute read by name)."""
        names = [k for k in key.values if isinstance(k, str) and k.isidentifier()]
        if not names:
            return _unknown(expr_text(node))
        out = _known(*(QName(f"{module}.{name}") for name in names), indirect=True)
        out.unknown = list(key.unknown)
        return out

    def _instance(self, cls: object, named: list[ast.keyword], node: ast.Call, scope: Scope, depth: int) -> Instance:
        """An object of a project class built with keyword arguments: the values of each (issue 10, cause 1)."""
        fields: list[tuple[str, tuple[object, ...]]] = []
        for kw in named:
            res = self.resolve(kw.value, scope, depth)
            fields.append((cast(str, kw.arg), tuple(res.values) if not res.unknown else ()))
        return Instance(expr_text(node), False, cls, tuple(fields))

    def _env(self, node: ast.Call, scope: Scope, depth: int) -> Res:
        key_node = node.args[0] if node.args else None
        for kw in node.keywords:
            if kw.arg in ("key", "k"):
                key_node = kw.value
        key = self.resolve(key_node, scope, depth) if key_node is not None else Res()
        name = str(key.values[0]) if key.values else "?"
        default_node = node.args[1] if len(node.args) > 1 else None
        for kw in node.keywords:
            if kw.arg == "default":
                default_node = kw.value
        note = f"environment variable {name}"
        deployed = deployment_values(name, self.project_env)  # .env / compose / Dockerfile (issue 10)
        if default_node is None:
            return deployed if deployed is not None else _unknown(expr_text(node), note=f"{note} (no default)")
        out = self.resolve(default_node, scope, depth)
        out.indirect = True
        out.notes.append(f"default of {note}")
        return out.add(deployed) if deployed is not None else out

    def _urljoin(self, parts: list[Res], node: ast.expr) -> Res:
        out = Res(indirect=True)
        pools: list[list[str]] = []
        for res in parts:
            out.notes.extend(n for n in res.notes if n not in out.notes)
            out.dropped = out.dropped or res.dropped
            strs = [v for v in res.values if isinstance(v, str)]
            if res.unknown or not strs:
                return out.add(_unknown(expr_text(node)))
            pools.append(strs)
        for base, name in product(pools, out):
            try:
                out.values.append(urllib.parse.urljoin(base, name))
            except ValueError:
                return out.add(_unknown(expr_text(node)))
        return out

    def _join(self, parts: list[Res], node: ast.expr, sep: str, path: bool = False) -> Res:
        out = Res(indirect=True)
        pools: list[list[str]] = []
        for res in parts:
            out.notes.extend(n for n in res.notes if n not in out.notes)
            out.dropped = out.dropped or res.dropped
            strs = [v for v in res.values if isinstance(v, str)]
            if res.unknown or not strs:
                return out.add(_unknown(expr_text(node)))
            pools.append(strs)
        for combo in product(pools, out):
            # a path joins as os.path.join does: an empty part adds nothing, an absolute part starts over
            # (`os.path.join(ckpt_dir, "paraformer-zh")` with ckpt_dir="" is the name itself)
            joined = posixpath.join(*combo) if path else sep.join(combo)
            out.values.append(PathStr(joined) if path else joined)
        return out

    def _method(self, method: str, receiver: Res, node: ast.Call, scope: Scope, depth: int) -> Res | None:
        """``receiver.method(...)`` for a dict or str method we can evaluate; None when we cannot."""
        if not receiver.values or receiver.unknown:
            return None
        args = [self.resolve(a, scope, depth) for a in node.args]
        if method != "get" and any(a.unknown or not a.values for a in args):
            return None
        out = Res(indirect=True, notes=list(receiver.notes))
        for value in receiver.values:
            if isinstance(value, dict):
                done = _dict_method(value, method, args, out)
            elif isinstance(value, str):
                done = self._str_method(value, method, args, node, scope, depth, out)
            else:
                done = False
            if not done:
                return None
        return out

    def _str_method(self, value: str, method: str, args: list[Res], node: ast.Call, scope: Scope,
                    depth: int, out: Res) -> bool:
        if method == "join" and args and args[0].values:
            for seq in args[0].values:
                if not (isinstance(seq, tuple) and all(isinstance(s, str) for s in seq)):
                    return False
                out.add(_known(value.join(seq)))
            return True
        if method == "format":
            # only text and numbers are formatted: an imported name, object or container the resolver could
            # not read (``QName('config.MODEL')``) is an unknown part, never its repr in an id (issue 10, precision)
            names: list[str] = []
            pools = [[v for v in a.values if _scalar(v)] for a in args]
            partial = any(len(pool) < len(a.values) for pool, a in zip(pools, args, strict=True))
            for kw in node.keywords:
                if kw.arg is None:
                    return False
                res = self.resolve(kw.value, scope, depth)
                if not res.values or res.unknown:
                    return False
                names.append(kw.arg)
                pools.append([v for v in res.values if _scalar(v)])
                partial = partial or len(pools[-1]) < len(res.values)
            if not all(pools):
                return False
            if partial:
                out.add(_unknown(expr_text(node)))
            for combo in product(pools, out):
                positional, kwargs = combo[:len(args)], dict(zip(names, combo[len(args):], strict=True))
                try:
                    out.add(_known(value.format(*positional, **kwargs)))
                except (IndexError, KeyError, ValueError, AttributeError, TypeError):
                    return False
            return True
        if method in STR_METHODS:
            plain = [a.values[0] for a in args if len(a.values) == 1]
            if len(plain) != len(args):
                return False
            try:
                result = getattr(str, method)(value, *plain)
            except (TypeError, ValueError, AttributeError):
                return False
            out.add(_known(result))
            return True
        return False


#: Decorators and bases of a class whose constructor takes its annotated fields in order.
_RECORD_DECORATORS = frozenset({"dataclass", "dataclasses.dataclass", "define", "attr.s", "attrs.define", "frozen"})
_RECORD_BASES = frozenset({"NamedTuple", "typing.NamedTuple"})


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


#: Factories of record classes whose fields are named by their second argument.
_NAMEDTUPLE = frozenset({"collections.namedtuple", "namedtuple", "typing.NamedTuple"})


def _positional_fields(cls: ast.AST, args: Sequence[ast.expr]) -> list[ast.keyword]:
    """Positional constructor arguments of a dataclass or ``NamedTuple`` class, as keywords naming its
    annotated fields in order ([] for other classes, or when an argument is starred)."""
    if not args or not isinstance(cls, ast.ClassDef) or any(isinstance(a, ast.Starred) for a in args):
        return []
    if not (any(_dotted(d) in _RECORD_DECORATORS for d in cls.decorator_list)
            or any(_dotted(b) in _RECORD_BASES for b in cls.bases)):
        return []
    fields = [stmt.target.id for stmt in cls.body
              if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
              and not _dotted(stmt.annotation).endswith("ClassVar")]
    return [ast.keyword(arg=name, value=arg) for name, arg in zip(fields, args, strict=False)]


def _scalar(value: object) -> bool:
    """Whether ``value`` formats as itself in an id: a string or a number (not a bool)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def product(pools: Sequence[Sequence[T]], out: Res) -> Iterator[tuple[T, ...]]:
    """The combinations of ``pools`` (at most :data:`MAX_UNION`; more sets ``out.dropped``)."""
    size = 1
    for pool in pools:
        size *= len(pool)
    if size > MAX_UNION:
        out.dropped = True
    return itertools.islice(itertools.product(*pools), MAX_UNION)


def _unset_option(res: Res) -> bool:
    """Whether ``res`` is only a command-line option that has no default: None unless given, so an ``or`` after
    it runs (``args.model or config.get("model", "F5TTS_v1_Base")``)."""
    return not res.values and bool(res.notes) and all(
        note.startswith("command-line option ") and note.endswith("(no default)") for note in res.notes)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _dict_method(value: dict[object, object], method: str, args: list[Res], out: Res) -> bool:
    """``value.method(*args)`` of a literal dict, added to ``out``; False when not evaluated."""
    if method in ("get", "pop") and args and not args[0].unknown:
        for key in args[0].values:
            if key in value:
                out.add(_known(*flatten(value[key])))
            elif len(args) > 1:
                out.add(args[1])
            else:
                out.add(_known(None))
    elif method in ("get", "pop") and args:
        # key not known statically: any value of the literal dict, or the default
        for item in value.values():
            out.add(_known(*flatten(item)))
        out.add(args[1] if len(args) > 1 else _known(None))
    elif method == "keys":
        out.add(_known(tuple(value.keys())))
    elif method == "values":
        out.add(_known(tuple(value.values())))
    elif method == "items":
        out.add(_known(tuple((k, v) for k, v in value.items())))
    else:
        return False
    return True


def _binop(op: ast.operator, a: object, b: object) -> object:
    if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
        return PathStr(a + b) if isinstance(a, PathStr) else a + b
    if isinstance(op, ast.Div) and isinstance(a, str) and isinstance(b, str):
        return PathStr(a.rstrip("/") + "/" + b)
    if isinstance(op, ast.Mod) and isinstance(a, str):
        try:
            return a % (b if isinstance(b, (tuple, dict)) else (b,))
        except (TypeError, ValueError, KeyError):
            return _MISSING
    if isinstance(op, ast.Add) and isinstance(a, tuple) and isinstance(b, tuple):
        return a + b
    return _MISSING
