// The agent workspace 客服工作台: stream a draft set, rewrite or edit a stage, approve, copy the reply.
// Talks only to /console/workspace/api/* (same origin, session cookie + X-CSRF-Token); text is always
// put into the page with textContent, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("ws");
  if (!root) { return; }
  var CSRF = root.getAttribute("data-csrf");
  var LABELS = JSON.parse(document.getElementById("ws-labels").textContent);
  var STAGES = ["listen", "empathize", "ask", "act", "negotiate", "thank"];
  var API = "/console/workspace/api/drafts";
  var state = { id: null, texts: {}, draft: null, busy: false, sent: {} };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function show(node, on) { node.hidden = !on; }
  function say(text, kind) { var s = $("ws-status"); s.textContent = text; s.setAttribute("data-state", kind || "info"); }
  function fail(target, text) {
    var node = $(target);
    node.textContent = text;
    show(node, !!text);
    if (text) { node.focus(); }
  }
  function errorText(body, status) {
    var e = body && body.error;
    if (e && e.message_zh) { return e.message_zh; }
    if (status === 401) { return "登录已失效,请刷新页面后重新登录。"; }
    if (status === 429) { return "操作太频繁了,请稍等片刻再试。"; }
    return "请求失败(HTTP " + status + "),请稍后重试。";
  }
  // JSON POST to the workspace API: resolves {ok, status, body}; a network failure is a clear message.
  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": CSRF },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        return { ok: r.ok, status: r.status, body: body };
      });
    }, function () {
      return { ok: false, status: 0, body: { error: { message_zh: "网络连接失败,请检查网络后重试。" } } };
    });
  }
  // The same cleaning the service applies to an edit (newlines, invisible characters, outer spaces), so
  // the guard's spans index exactly the text the agent sees.
  function clean(text) {
    return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
      .replace(/\p{Cf}/gu, "").trim();
  }

  // -- violations: highlighted spans + the written explanation (rule, message, fix hint) ------------
  function renderMarked(textNode, listNode, text, guardrail, idPrefix) {
    textNode.textContent = "";
    listNode.textContent = "";
    var violations = ((guardrail && guardrail.violations) || []).slice().sort(function (a, b) { return a.start - b.start; });
    var cursor = 0;
    violations.forEach(function (v, i) {
      var itemId = idPrefix + "-v" + i;
      var item = el("li", "violation");
      item.id = itemId;
      item.setAttribute("data-rule", v.rule_id);
      item.appendChild(el("span", "sev-rule sev-rule-" + v.severity, LABELS.rule_severity[v.severity] || v.severity));
      item.appendChild(el("strong", null, (LABELS.violation[v.category] || v.category) + " "));
      item.appendChild(el("code", "rule-id", v.rule_id));
      item.appendChild(el("span", "tip-line", v.message));
      if (v.fix_hint) { item.appendChild(el("span", "tip-line fix", "改法:" + v.fix_hint)); }
      listNode.appendChild(item);
      var start = Math.max(0, Math.min(v.start, text.length)), end = Math.max(start, Math.min(v.end, text.length));
      if (start < cursor || end === start) { return; }  // overlapping span: explained in the list only
      textNode.appendChild(document.createTextNode(text.slice(cursor, start)));
      var mark = el("mark", "v v-" + v.category + " v-" + v.severity, text.slice(start, end));
      mark.tabIndex = 0;
      mark.setAttribute("aria-describedby", itemId);
      mark.setAttribute("data-rule", v.rule_id);
      mark.title = v.rule_id;
      textNode.appendChild(mark);
      cursor = end;
    });
    textNode.appendChild(document.createTextNode(text.slice(cursor)));
  }
  function badge(stage, guardrail) {
    var node = $("ws-badge-" + stage);
    var warn = guardrail && guardrail.violations && guardrail.violations.length;
    if (guardrail && !guardrail.passed) { node.className = "badge badge-bad"; node.textContent = "护栏拦截"; }
    else if (warn) { node.className = "badge badge-warn"; node.textContent = "通过(有提醒)"; }
    else { node.className = "badge badge-ok"; node.textContent = "护栏通过"; }
    var box = $("ws-stage-" + stage);
    box.classList.remove("stage-ok", "stage-warn", "stage-bad");
    box.classList.add(guardrail && !guardrail.passed ? "stage-bad" : (warn ? "stage-warn" : "stage-ok"));
  }
  function showStage(item) {
    var stage = item.stage;
    state.texts[stage] = item.text;
    renderMarked($("ws-text-" + stage), $("ws-violations-" + stage), item.text, item.guardrail, "ws-" + stage);
    badge(stage, item.guardrail);
    $("ws-stage-" + stage).setAttribute("data-state", "arrived");
    show($("ws-tools-" + stage), true);
    state.sent[stage] = true;
    var n = STAGES.filter(function (s) { return state.sent[s]; }).length;
    if (!state.draft) { say("正在起草…已收到 " + n + "/6 个环节", "streaming"); }
  }

  // -- reset for a new message ----------------------------------------------------------------------
  function reset() {
    state = { id: null, texts: {}, draft: null, busy: false, sent: {} };
    STAGES.forEach(function (stage) {
      var box = $("ws-stage-" + stage);
      box.setAttribute("data-state", "waiting");
      box.classList.remove("stage-ok", "stage-warn", "stage-bad");
      $("ws-badge-" + stage).className = "badge";
      $("ws-badge-" + stage).textContent = "等待中…";
      $("ws-text-" + stage).textContent = "";
      $("ws-violations-" + stage).textContent = "";
      ["ws-tools-", "ws-proposal-", "ws-editor-", "ws-blocked-"].forEach(function (p) { show($(p + stage), false); });
      $("ws-edit-" + stage).value = "";
      box.querySelector("[data-do=edit]").setAttribute("aria-expanded", "false");
    });
    $("ws-draft-id").textContent = "";
    $("ws-classification").textContent = "";
    $("ws-approve").disabled = true;
    show($("ws-approve"), true);
    fail("ws-error", "");
    fail("ws-form-error", "");
    show($("ws-final"), false);
    $("ws-copied").textContent = "";
    editedNote();
  }

  // -- streaming a draft ----------------------------------------------------------------------------
  function classification(c) {
    if (!c) { return; }
    var parts = ["类别:" + (LABELS.category[c.category] || c.category), "严重程度:" + (LABELS.severity[c.severity] || c.severity)];
    if (c.urgency === "urgent") { parts.push("紧急"); }
    if (c.escalate) { parts.push("需上报主管" + (c.escalate_reason ? "(" + c.escalate_reason + ")" : "")); }
    $("ws-classification").textContent = parts.join(" · ");
  }
  function finished(draft) {
    state.draft = draft;
    state.id = draft.id;
    $("ws-draft-id").textContent = "编号 " + draft.id;
    classification(draft.classification);
    draft.stages.forEach(function (item) { showStage(item); });
    var blocked = draft.stages.filter(function (s) { return !s.guardrail.passed; }).length;
    if (draft.stale) {
      say("业主在这之后又发来了新消息,这份草稿已过时:请粘贴最新消息重新起草。", "stale");
    } else if (blocked) {
      say("起草完成:有 " + blocked + " 个环节被护栏拦截(标红)。请改写或修改这些环节后提交。", "flagged");
    } else {
      say("起草完成:六个环节都已通过护栏检查,请核对后采纳。", "done");
    }
    $("ws-approve").disabled = false;
  }
  function onEvent(name, data) {
    if (name === "accepted") { state.id = data.id; $("ws-draft-id").textContent = "编号 " + data.id; }
    else if (name === "classification") { classification(data.classification); }
    else if (name === "stage") { showStage(data); }
    else if (name === "revise") {
      (data.stages || []).forEach(function (stage) { $("ws-badge-" + stage).textContent = "重新起草中…"; });
    }
    else if (name === "done") { finished(data.draft); }
    else if (name === "error") { say("", "error"); fail("ws-error", data.message_zh || "起草失败,请稍后重试。"); }
  }
  function readStream(response) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
    function frames() {
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var frame = buffer.slice(0, cut), name = "message", data = "";
        buffer = buffer.slice(cut + 2);
        frame.split("\n").forEach(function (line) {
          if (line.indexOf("event: ") === 0) { name = line.slice(7); }
          else if (line.indexOf("data: ") === 0) { data += line.slice(6); }
        });
        if (data) { onEvent(name, JSON.parse(data)); }
      }
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { buffer += decoder.decode(); frames(); return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        frames();
        return pump();
      });
    }
    return pump();
  }
  $("ws-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (state.busy) { return; }
    var complaint = $("ws-complaint").value.trim(), project = $("ws-project").value.trim();
    if (!project) { fail("ws-form-error", "请填写项目(小区)名称。"); $("ws-project").focus(); return; }
    if (!complaint) { fail("ws-form-error", "请先粘贴业主的原话。"); $("ws-complaint").focus(); return; }
    reset();
    var payload = { complaint: complaint, project: project };
    if ($("ws-channel").value) { payload.channel = $("ws-channel").value; }
    if ($("ws-conversation").value.trim()) { payload.conversation_id = $("ws-conversation").value.trim(); }
    state.busy = true;
    $("ws-submit").disabled = true;
    show($("ws-draft"), true);
    say("正在起草…", "streaming");
    fetch(API, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream", "X-CSRF-Token": CSRF },
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (!response.ok) {
        return response.json().catch(function () { return null; }).then(function (body) {
          show($("ws-draft"), false);
          fail("ws-form-error", errorText(body, response.status));
        });
      }
      return readStream(response).then(function () {
        if (!state.draft && $("ws-error").hidden) {
          fail("ws-error", "连接中断,没有收到完整的草稿。草稿仍会在后台生成并保存,请稍后重新提交。");
        }
      });
    }).catch(function () {
      fail("ws-error", "网络连接中断,没有收到完整的草稿,请检查网络后重新提交。");
    }).then(function () {
      state.busy = false;
      $("ws-submit").disabled = false;
    });
  });

  // -- rewrite / edit one stage ---------------------------------------------------------------------
  function editedStages() {
    var edits = {};
    STAGES.forEach(function (stage) {
      if ($("ws-editor-" + stage).hidden) { return; }
      var text = clean($("ws-edit-" + stage).value);
      if (text !== (state.texts[stage] || "")) { edits[stage] = text; }
    });
    return edits;
  }
  function editedNote() {
    var n = Object.keys(editedStages()).length;
    $("ws-approve").textContent = n ? "提交修改并采纳" : "采纳回复";
    $("ws-edited-note").textContent = n ? "已修改 " + n + " 个环节,提交时整套回复重新过护栏。" : "";
  }
  function openEditor(stage, text) {
    var editor = $("ws-editor-" + stage), area = $("ws-edit-" + stage);
    show(editor, true);
    area.value = text;
    $("ws-stage-" + stage).querySelector("[data-do=edit]").setAttribute("aria-expanded", "true");
    area.focus();
    editedNote();
  }
  function rewrite(stage, button) {
    if (!state.id) { return; }
    var style = $("ws-style-" + stage).value, box = $("ws-proposal-" + stage);
    button.disabled = true;
    box.textContent = "";
    box.appendChild(el("p", "muted", "正在改写(" + (LABELS.styles[style] || style) + ")…"));
    show(box, true);
    post(API + "/" + encodeURIComponent(state.id) + "/rewrite", { stage: stage, style: style }).then(function (r) {
      button.disabled = false;
      box.textContent = "";
      var body = r.body || {};
      if (r.ok) {
        box.setAttribute("data-result", "ok");
        box.appendChild(el("h4", null, "改写建议(" + (LABELS.styles[style] || style) + "),已通过护栏检查:"));
        var p = el("p", "stage-text ws-proposal-text"), list = el("ul", "violations");
        renderMarked(p, list, body.text, body.guardrail, "ws-proposal-" + stage);
        box.appendChild(p);
        box.appendChild(list);
        var use = el("button", "btn btn-small btn-primary", "用这个改写");
        use.type = "button";
        use.addEventListener("click", function () { show(box, false); openEditor(stage, body.text); });
        var drop = el("button", "btn btn-small", "不用了");
        drop.type = "button";
        drop.addEventListener("click", function () { show(box, false); button.focus(); });
        var row = el("div", "ws-actions");
        row.appendChild(use);
        row.appendChild(drop);
        box.appendChild(row);
        use.focus();
        return;
      }
      box.setAttribute("data-result", "error");
      var details = (body.error && body.error.details) || {};
      var alert = el("p", "alert", errorText(body, r.status));
      alert.setAttribute("role", "alert");
      box.appendChild(alert);
      if (details.text && details.guardrail) {
        var bp = el("p", "stage-text"), bl = el("ul", "violations");
        renderMarked(bp, bl, details.text, details.guardrail, "ws-proposal-" + stage);
        box.appendChild(bp);
        box.appendChild(bl);
      }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-do]") : null;
    if (!button) { return; }
    var stage = button.getAttribute("data-stage");
    if (button.getAttribute("data-do") === "rewrite") { rewrite(stage, button); return; }
    var editor = $("ws-editor-" + stage);
    if (editor.hidden) { openEditor(stage, $("ws-edit-" + stage).value || state.texts[stage] || ""); }
    else {
      show(editor, false);
      button.setAttribute("aria-expanded", "false");
      editedNote();
    }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id && event.target.id.indexOf("ws-edit-") === 0) { editedNote(); }
  });

  // -- approve (or submit the edits) ----------------------------------------------------------------
  function showBlocked(details, sent) {
    var guardrail = details.guardrail || {};
    var first = null;
    Object.keys(guardrail).forEach(function (stage) {
      var box = $("ws-blocked-" + stage);
      box.textContent = "";
      box.appendChild(el("h4", null, "护栏拦截了这段文字:"));
      var p = el("p", "stage-text ws-blocked-text"), list = el("ul", "violations");
      var text = sent[stage] !== undefined ? sent[stage] : (state.texts[stage] || "");
      renderMarked(p, list, text, guardrail[stage], "ws-blocked-" + stage);
      box.appendChild(p);
      box.appendChild(list);
      show(box, true);
      first = first || p.querySelector("mark");
    });
    if (first) { first.focus(); }
  }
  $("ws-approve").addEventListener("click", function () {
    if (!state.id) { return; }
    var button = $("ws-approve"), edits = editedStages();
    STAGES.forEach(function (stage) { show($("ws-blocked-" + stage), false); });
    fail("ws-error", "");
    Object.keys(edits).forEach(function (stage) { $("ws-edit-" + stage).value = edits[stage]; });
    var edited = Object.keys(edits).length > 0;
    button.disabled = true;
    post(API + "/" + encodeURIComponent(state.id) + "/decision",
         edited ? { action: "edit", stages: edits } : { action: "approve" }).then(function (r) {
      button.disabled = false;
      if (r.ok) {
        state.draft = r.body.draft;
        r.body.draft.stages.forEach(function (item) { showStage(item); });  // the texts as approved
        say("已采纳" + (edited ? "(含修改)" : "") + ",可以复制回复发给业主了。", "approved");
        show(button, false);
        $("ws-edited-note").textContent = "";
        STAGES.forEach(function (stage) {
          show($("ws-tools-" + stage), false);
          show($("ws-editor-" + stage), false);
          show($("ws-proposal-" + stage), false);
        });
        $("ws-final-text").value = r.body.reply;
        show($("ws-final"), true);
        $("ws-copy").focus();
        return;
      }
      var body = r.body || {}, code = body.error && body.error.code;
      if (code === "edit_blocked") {
        var names = Object.keys((body.error.details || {}).guardrail || {}).map(function (s) {
          return "“" + (LABELS.stage[s] || s) + "”";
        });
        fail("ws-error", "提交的回复里 " + names.join("、") + " 环节违反必须避免的话术规范,没有采纳:" +
             "请按标出的位置和改法修改后重新提交(或交主管审核)。");
        showBlocked(body.error.details || {}, edits);
      } else {
        fail("ws-error", errorText(body, r.status));
      }
    });
  });

  // -- copy the final reply -------------------------------------------------------------------------
  function copied(ok) {
    var note = $("ws-copied");
    note.textContent = ok ? "已复制到剪贴板,可以粘贴发送给业主。" : "复制失败:请选中上面的文字后按 Ctrl+C 复制。";
    note.className = ok ? "notice" : "alert";
  }
  $("ws-copy").addEventListener("click", function () {
    var area = $("ws-final-text");
    function fallback() {
      area.focus();
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      copied(ok);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(function () { copied(true); }, fallback);
    } else { fallback(); }
  });
  $("ws-next").addEventListener("click", function () {
    reset();
    show($("ws-draft"), false);
    $("ws-complaint").value = "";
    $("ws-complaint").focus();
  });
})();
