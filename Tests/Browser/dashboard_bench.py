#!/usr/bin/env python3
"""The dashboard's two figures for docs/benchmarks.md, in headless Chromium (Selenium):

- time to first render of the overview: navigation start until every DORA tile holds its value
  (median and max of --loads fresh loads, each with a new page and a warm server);
- SSE delivery latency: a command sent over HTTP until its event is in the operations page's
  live list (#live-events [data-position]), timed in the browser with a MutationObserver
  (Date.now(), the same clock as this script's), for --samples commands --interval-ms apart.

Prints one JSON object. Run by `make dashboard-bench`, beside the append-to-follow baseline."""
import argparse, json, statistics, time, urllib.request, uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

TILES = ["tile-deploymentFrequency", "tile-leadTime", "tile-changeFailureRate", "tile-recoveryTime"]


def browser():
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def sign_in(driver, url, token):
    driver.get(url + "/")
    driver.execute_script("sessionStorage.setItem('loopline.token', arguments[0])", token)


def first_render(driver, url):
    """Milliseconds from navigation start until every tile has a data-value. From about:blank, so
    that each is a new document (a change of the URL's fragment alone would not load the page)."""
    driver.get("about:blank")
    driver.get(url + "/#/overview")
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const ids = arguments[0];
        const ready = () => ids.every(id => document.querySelector('#' + id + ' [data-value]'));
        if (ready()) return done(performance.now());
        new MutationObserver((_, observer) => {
          if (ready()) { observer.disconnect(); done(performance.now()); }
        }).observe(document.body, {childList: true, subtree: true, attributes: true});
        """, TILES)


def command(url, token, story):
    body = json.dumps({"storyId": story, "title": "latency probe", "service": "web"}).encode()
    request = urllib.request.Request(url + "/v1/commands/create-story", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["events"][0]["position"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--interval-ms", type=int, default=100)
    arguments = parser.parse_args()
    driver = browser()
    driver.set_script_timeout(30)
    try:
        sign_in(driver, arguments.url, arguments.token)
        first_render(driver, arguments.url)  # warm-up: caches, the server's pools
        renders = [first_render(driver, arguments.url) for _ in range(arguments.loads)]

        driver.get(arguments.url + "/#/operations")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "live-events"))
        time.sleep(1)  # the live feed connects
        driver.execute_script(
            """
            window.__arrivals = {};
            new MutationObserver(records => {
              for (const record of records) for (const node of record.addedNodes) {
                const position = node.dataset && node.dataset.position;
                if (position && !(position in window.__arrivals)) window.__arrivals[position] = Date.now();
              }
            }).observe(document.getElementById('live-events'), {childList: true, subtree: true});
            """)
        sent = {}
        for index in range(arguments.samples):
            started = time.time() * 1000
            sent[str(command(arguments.url, arguments.token, "LAT-" + uuid.uuid4().hex[:10]))] = started
            time.sleep(arguments.interval_ms / 1000)
        deadline = time.time() + 10
        while time.time() < deadline:
            arrivals = driver.execute_script("return window.__arrivals")
            if all(position in arrivals for position in sent):
                break
            time.sleep(0.1)
        latencies = [arrivals[p] - sent[p] for p in sent if p in arrivals]
        print(json.dumps({
            "firstRenderMs": {"loads": len(renders), "median": round(statistics.median(renders)), "max": round(max(renders))},
            "sseLatencyMs": {"samples": len(latencies), "sent": len(sent), "p50": percentile(latencies, 0.5),
                             "p99": percentile(latencies, 0.99), "max": max(latencies)},
        }))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
