"""Personal data is masked once, at the edge: nothing raw — a mobile, an ID number, a name, a plate
from the history, the owner reference, a blocked edit — reaches any file under WUYE_DATA_DIR (the
SQLite database, its WAL, the index, anything) or any response."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import make_settings, running

RAW = {
    "mobile": "13912345678",
    "id_number": "110101199003078515",
    "name": "王芳",
    "plate": "京A12345",
    "history_name": "李建国",
    "owner_ref": "3-1502-业主张",
    "edit_mobile": "13700001111",
    "bank_card": "6222021234567890128",
    "wechat": "wangfang_1988",
    "qq": "2847561930",
    "passport": "E12345678",
    "steward": "孟晓东",
    "room": "2-1-2单元1916",
}
COMPLAINT = (f"我是{RAW['name']},电话{RAW['mobile']},身份证{RAW['id_number']},住{RAW['room']},楼上漏水一个星期了,"
             f"报修三次都没人来,管家{RAW['steward']}也不回,天花板都发霉了!赔偿请打到卡号{RAW['bank_card']},"
             f"或加微信 {RAW['wechat']}、QQ {RAW['qq']} 联系,护照号 {RAW['passport']}。{RAW['room'][-4:]}的损失谁负责?")
HISTORY = [{"role": "owner", "text": f"我是{RAW['history_name']},车牌{RAW['plate']}的车位也一直被占。"},
           {"role": "staff", "text": "好的,我们登记了。"}]


def _files_with_raw(data_dir: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in data_dir.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            hits = [kind for kind, value in RAW.items() if value.encode() in blob]
            if hits:
                found[str(path.relative_to(data_dir))] = hits
    return found


async def test_nothing_raw_in_the_data_dir_or_any_response(tmp_path, shared_clients):
    settings = make_settings(tmp_path)
    responses: list[str] = []
    async with running(settings, shared_clients) as api:
        agent, sup = await api.key("agent"), await api.key("supervisor")
        created = await api.client.post("/v1/drafts", headers=agent, json={
            "complaint": COMPLAINT, "project": "翠湖苑", "history": HISTORY, "owner_ref": RAW["owner_ref"],
            "channel": "phone"})
        assert created.status_code == 201, created.text
        draft = created.json()
        url = f"/v1/drafts/{draft['id']}/decision"
        blocked = await api.client.post(url, headers=agent, json={"action": "edit", "stages": {
            "act": f"这事不归我们管,您自己找开发商吧,有事打{RAW['edit_mobile']}。"}})
        assert blocked.status_code == 422 and blocked.json()["error"]["code"] == "edit_blocked"
        for response in (created, blocked,
                         await api.client.get(f"/v1/drafts/{draft['id']}", headers=agent),
                         await api.client.get("/v1/drafts", headers=agent),
                         await api.client.get("/v1/audit", headers=sup),
                         await api.client.get("/v1/review/escalated", headers=sup)):
            responses.append(response.text)
        # while the app is open (the WAL holds the latest writes) and after it closed
        assert _files_with_raw(settings.data_dir) == {}
    assert _files_with_raw(settings.data_dir) == {}
    for text in responses:
        assert not [kind for kind, value in RAW.items() if value in text], text[:300]
    assert draft["meta"]["owner_ref"].startswith("h_")
    assert "〔电话1〕" in draft["complaint_masked"]
    for placeholder in ("〔银行卡1〕", "〔微信1〕", "〔QQ1〕", "〔护照1〕", "〔房号1〕"):
        assert placeholder in draft["complaint_masked"]
