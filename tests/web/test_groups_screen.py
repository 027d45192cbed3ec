"""The console's groups and past years screen in a real browser: a supervisor adds the province's 2025
group, records that a ward was merged from two communes, and enters a partial earlier year, which the
screen says is partial; the screen passes axe-core's WCAG checks."""

from __future__ import annotations

from tests.web.test_admin_console import DESKTOP, sign_in

AGENCIES_2021 = b"agency,group,index,rank\nSNV,department,95,1\nSTTTT,department,93,2\n"
GROUPS_2021 = 'Nhóm,Trung bình,Cao nhất,Thấp nhất,Số đơn vị\n"Sở, ban, ngành",85,95,75,19\n'.encode()


def test_a_supervisor_adds_a_group_a_lineage_and_a_partial_year(live_server, db, browser, axe, screenshot):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
    sign_in(page, live_server.url, "supervisor")
    page.click("#console-groups")
    page.wait_for_selector("#new-group-form")
    expect(page.locator("tr[data-group='ward']")).to_contain_text("UBND phường")  # the demo's 2025 groups
    page.fill("#new-group-code", "ward_island")
    page.fill("#new-group-name", "UBND phường đảo")
    page.click("#new-group-submit")
    expect(page.locator("tr[data-group='ward_island']")).to_contain_text("UBND phường đảo")
    expect(page.locator("#status")).to_have_text("Đã lưu nhóm UBND phường đảo.")

    page.select_option("#lineage-agency", "PHULY")
    page.select_option("#lineage-kind", "merged_from")
    page.select_option("#lineage-predecessors", ["BINHLUC", "KIMBANG"])
    page.click("#lineage-submit")
    expect(page.locator("tr[data-lineage='PHULY']")).to_contain_text("Huyện Bình Lục, Huyện Kim Bang")
    expect(page.locator("tr[data-lineage='PHULY']")).to_contain_text("Hợp nhất, sáp nhập từ")

    page.fill("#history-year", "2021")
    page.set_input_files(
        "#history-agencies-file", files=[{"name": "2021.csv", "mimeType": "text/csv", "buffer": AGENCIES_2021}]
    )
    page.set_input_files(
        "#history-groups-file", files=[{"name": "nhom.csv", "mimeType": "text/csv", "buffer": GROUPS_2021}]
    )
    page.click("#history-submit")
    expect(page.locator("tr[data-year='2021']")).to_contain_text("Sở, ban, ngành")  # named, not "department"
    expect(page.locator("#status")).to_have_text("Năm 2021 chưa đầy đủ (thiếu đơn vị) ở nhóm: Sở, ban, ngành.")
    axe(page, "groups and past years")
    screenshot(page, "console-groups-history-1280")
    page.close()
