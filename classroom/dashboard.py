"""The teacher dashboard: a JupyterHub service behind the hub's login, for admins only.

The hub starts it (classroom/jupyterhub_config.py) and routes /services/dashboard/ to it. Only users with
``access:services!service=dashboard`` get in: JupyterHub's admin role has it, the student role does not.
The logic (progress grid, engine health, reset) is dockhelpers.hubdash.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlparse

from tornado import ioloop, web
from tornado.concurrent import run_on_executor
from concurrent.futures import ThreadPoolExecutor

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

from dockhelpers import hubdash
from dockhelpers.errors import CourseError

PREFIX = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/dashboard/")

PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>교사 대시보드</title>
<style>
body { font-family: "NanumGothic", sans-serif; margin: 1.5em; }
table { border-collapse: collapse; font-size: 14px; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: center; }
td.ok { background: #c8f0c8; } td.fail { background: #f6d0d0; } td.none { color: #999; }
td.student { text-align: left; font-weight: bold; }
#updated { color: #666; font-size: 12px; }
</style></head><body>
<h1>교사 대시보드</h1>
<p>학생별 연습 문제 결과와 각 학생 도커 엔진의 상태입니다. 3초마다 새로 고칩니다.
칸의 글자는 통과(한 번이라도 통과) 또는 아직(검사했지만 통과 전), 숫자는 검사 횟수입니다. <span id="updated"></span></p>
<table id="grid"><thead></thead><tbody></tbody></table>
<h2>장 초기화</h2>
<p>선택한 학생의 엔진에서만 그 장이 만든 리소스를 지웁니다(다른 학생은 그대로).</p>
<select id="who"></select> <select id="chapter"><option>1</option><option>2</option><option>3</option><option>4</option></select>
<button id="reset">이 학생의 이 장 초기화</button> <span id="result"></span>
<script>
const base = location.pathname.replace(/\\/$/, "");
async function refresh() {
  const res = await fetch(base + "/api/grid", {headers: {"X-Requested-With": "dashboard"}});
  if (!res.ok) { document.getElementById("updated").textContent = "읽기 실패: " + res.status; return; }
  const data = await res.json();
  const head = "<tr><th>학생</th><th>엔진</th>" + data.columns.map(c =>
      `<th title="${c.title}">${c.key}</th>`).join("") + "</tr>";
  document.querySelector("#grid thead").innerHTML = head;
  document.querySelector("#grid tbody").innerHTML = data.rows.map(r => {
    const e = r.engine.state === "ok" ? `정상 (${r.engine.version}, 컨테이너 ${r.engine.containers})`
            : (r.engine.state === "stopped" ? "꺼짐" : "응답 없음");
    const cells = data.columns.map(c => {
      const x = r.cells[c.key];
      if (!x) return '<td class="none">-</td>';
      return `<td class="${x.ok ? "ok" : "fail"}" data-key="${c.key}">${x.ok ? "통과" : "아직"} ${x.attempts}</td>`;
    }).join("");
    return `<tr data-student="${r.student}"><td class="student">${r.student}</td><td class="engine">${e}</td>${cells}</tr>`;
  }).join("");
  const who = document.getElementById("who");
  if (who.options.length !== data.rows.length) {
    who.innerHTML = data.rows.map(r => `<option>${r.student}</option>`).join("");
  }
  document.getElementById("updated").textContent = "마지막 갱신: " + new Date().toLocaleTimeString();
}
document.getElementById("reset").onclick = async () => {
  const who = document.getElementById("who").value, chapter = document.getElementById("chapter").value;
  if (!confirm(`${who} 학생의 ${chapter}장 리소스를 지울까요?`)) return;
  const res = await fetch(base + "/api/reset", {method: "POST", headers: {"X-Requested-With": "dashboard",
      "Content-Type": "application/json"}, body: JSON.stringify({student: who, chapter: Number(chapter)})});
  const data = await res.json();
  document.getElementById("result").textContent = res.ok ? `${who} ${chapter}장 초기화 완료` : ("실패: " + data.error);
  refresh();
};
// The next refresh starts 3 s after the last one ended: slow reads never pile up.
async function loop() { try { await refresh(); } finally { setTimeout(loop, 3000); } }
loop();
</script></body></html>
"""


class Base(HubOAuthenticated, web.RequestHandler):
    executor = ThreadPoolExecutor(4)

    def check_xsrf_cookie(self) -> None:
        # JSON calls carry a custom header, which a cross-site form or image cannot send.
        if self.request.method == "POST" and self.request.headers.get("X-Requested-With") != "dashboard":
            raise web.HTTPError(403)

    @run_on_executor
    def _grid(self):
        return hubdash.grid()

    @run_on_executor
    def _reset(self, student: str, chapter: int):
        return hubdash.reset(student, chapter)


class Page(Base):
    @web.authenticated
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(PAGE)


class Grid(Base):
    @web.authenticated
    async def get(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(await self._grid(), ensure_ascii=False))


class Reset(Base):
    @web.authenticated
    async def post(self) -> None:
        body = json.loads(self.request.body or b"{}")
        try:
            text = await self._reset(str(body.get("student", "")), int(body.get("chapter", 0)))
        except (CourseError, ValueError) as exc:
            self.set_status(400)
            self.finish({"error": str(exc)})
            return
        self.finish({"ok": True, "output": text})


def main() -> None:
    app = web.Application([
        (PREFIX, Page),
        (PREFIX + "api/grid", Grid),
        (PREFIX + "api/reset", Reset),
        (PREFIX + "oauth_callback", HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))
    where = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(where.port, where.hostname)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
