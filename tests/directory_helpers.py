"""A real OpenLDAP server for the directory tests and the benchmark.

Debian's `slapd` runs on a free loopback port with a throwaway mdb
database in a temporary folder, loaded with `slapadd` before it starts.
`bin/system-deps --test` installs slapd and ldap-utils when missing.

The test organisation: 示范厅 (SZT) with three units — 办公室 (SZT-BGS),
保密处 (SZT-BMC), 信息处 (SZT-XXC) — and twelve people, one of whom the
directory files under a unit the site does not have (SZT-RSC, 人事处) and
one of whom is disabled (employeeType: disabled, which the sign-in filter
excludes, as Active Directory's userAccountControl clause does).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUFFIX = "dc=awareness,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "admin-secret-for-tests"
READER_DN = f"cn=reader,{SUFFIX}"
READER_PASSWORD = "reader-secret-for-tests"
PEOPLE_PASSWORD = "directory-pw-for-tests"
# The sign-in filter the tests configure: people, less the disabled.
USER_FILTER = "(&(objectClass=inetOrgPerson)(uid=%(user)s)(!(employeeType=disabled)))"
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA = Path("/etc/ldap/schema")
ROOT = Path(__file__).resolve().parent.parent

UNITS = [
    # (ou = the unit code, description = its name, parent code)
    ("SZT", "示范厅", None),
    ("SZT-BGS", "办公室", "SZT"),
    ("SZT-BMC", "保密处", "SZT"),
    ("SZT-XXC", "信息处", "SZT"),
    # In the directory, but not on the site: its people are "not placed".
    ("SZT-RSC", "人事处", "SZT"),
]

PEOPLE = [
    # uid, displayName, employeeNumber, unit code, disabled
    ("zhangwei", "张伟", "D1001", "SZT-BGS", False),
    ("wangfang", "王芳", "D1002", "SZT-BGS", False),
    ("lina", "李娜", "D1003", "SZT-BGS", False),
    ("liuyang", "刘洋", "D1004", "SZT-BGS", False),
    ("chenjing", "陈静", "D2001", "SZT-BMC", False),
    ("yangmin", "杨敏", "D2002", "SZT-BMC", False),
    ("zhaolei", "赵磊", "D2003", "SZT-BMC", False),
    ("huangqiang", "黄强", "D3001", "SZT-XXC", False),
    ("zhouxia", "周霞", "D3002", "SZT-XXC", False),
    ("wujun", "吴军", "D3003", "SZT-XXC", False),
    ("sunli", "孙丽", "D4001", "SZT-RSC", False),
    ("zhengtao", "郑涛", "D3004", "SZT-XXC", True),
]


def unit_dn(code: str) -> str:
    parents = []
    while code:
        parents.append(f"ou={code}")
        code = next(parent for unit, _name, parent in UNITS if unit == code)
    return ",".join([*parents, SUFFIX])


def person_dn(uid: str, unit_code: str) -> str:
    return f"uid={uid},{unit_dn(unit_code)}"


def person_ldif(uid, name, number, unit_code, disabled=False, *, password=PEOPLE_PASSWORD) -> str:
    lines = [
        f"dn: {person_dn(uid, unit_code)}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {name[0]}",
        f"displayName: {name}",
        f"mail: {uid}@awareness.test",
        f"employeeNumber: {number}",
        f"departmentNumber: {unit_code}",
        f"userPassword: {password}",
    ]
    if disabled:
        lines.append("employeeType: disabled")
    return "\n".join(lines) + "\n\n"


def test_tree_ldif(extra_people: int = 0) -> str:
    """The organisation above, plus `extra_people` generated people spread
    over the three units (for the benchmark)."""
    parts = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Awareness\n"
        "dc: awareness\n\n",
        f"dn: {READER_DN}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\n"
        f"cn: reader\nuserPassword: {READER_PASSWORD}\n\n",
    ]
    for code, name, _parent in UNITS:
        parts.append(
            f"dn: {unit_dn(code)}\nobjectClass: organizationalUnit\nou: {code}\n"
            f"description: {name}\n\n"
        )
    parts += [person_ldif(*person) for person in PEOPLE]
    codes = ["SZT-BGS", "SZT-BMC", "SZT-XXC"]
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
    for n in range(extra_people):
        name = surnames[n % 20] + given[(n // 20) % 20] + given[(n // 400) % 20]
        parts.append(person_ldif(f"p{n:06d}", name, f"G{n:06d}", codes[n % 3]))
    return "".join(parts)


def find_slapd() -> str | None:
    """slapd's path; installs it (as root, through bin/system-deps) when missing."""
    if not Path(SLAPD).exists() and shutil.which("apt-get"):
        subprocess.run([str(ROOT / "bin/system-deps"), "--test"], check=False)
    return SLAPD if Path(SLAPD).exists() and Path(SLAPADD).exists() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Directory:
    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def settings(self) -> dict:
        """The Django settings that point the site at this directory."""
        return {
            "AUTH_LDAP_SERVER_URI": self.uri,
            "AUTH_LDAP_BIND_DN": READER_DN,
            "AUTH_LDAP_BIND_PASSWORD": READER_PASSWORD,
            "AUTH_LDAP_USER_SEARCH_BASE": SUFFIX,
            "AUTH_LDAP_USER_FILTER": USER_FILTER,
            "AUTH_LDAP_START_TLS": False,
            "AUTHENTICATION_BACKENDS": [
                "completion.directory.DirectoryBackend",
                "django.contrib.auth.backends.ModelBackend",
            ],
        }

    def admin(self):
        """A python-ldap connection bound as the directory's administrator,
        to change the tree as the organisation's directory admins would."""
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_directory(ldif: str, *, size_limit: int = 100) -> Directory:
    """Start slapd on loopback with `ldif` loaded. `size_limit` is the most
    entries one unpaged search may return, so a sync that did not page
    would fail on a directory larger than it."""
    folder = Path(tempfile.mkdtemp(prefix="awareness-slapd."))
    (folder / "db").mkdir()
    config = folder / "slapd.conf"
    config.write_text(
        f"""include {SCHEMA}/core.schema
include {SCHEMA}/cosine.schema
include {SCHEMA}/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args
sizelimit size.soft={size_limit} size.hard={size_limit} size.prtotal=unlimited

database mdb
maxsize 2147483648
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {folder}/db
index objectClass,uid,employeeType eq
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""
    )
    tree = folder / "tree.ldif"
    tree.write_text(ldif, encoding="utf-8")
    subprocess.run(
        [SLAPADD, "-q", "-f", str(config), "-l", str(tree)],
        check=True,
        capture_output=True,
    )
    directory = Directory(folder=folder, port=free_port())
    log = (folder / "slapd.log").open("w")
    # -d 0: stay in the foreground (so we own the process), log nothing.
    directory.process = subprocess.Popen(
        [SLAPD, "-d", "0", "-f", str(config), "-h", directory.uri],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if directory.process.poll() is not None:
            raise RuntimeError(f"slapd stopped: {(folder / 'slapd.log').read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", directory.port), timeout=0.5):
                return directory
        except OSError:
            time.sleep(0.1)
    directory.stop()
    raise RuntimeError("slapd did not start within 20 s")
