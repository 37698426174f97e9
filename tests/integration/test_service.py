"""The README's run command as a user meets it: `python -m bot` without a token starts the playground
(emulator + bot + web page), imports the demo, shares Redis with the CLI, answers a person using the
page in a real headless browser, and stops cleanly."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import jpeg_bytes, sample_image
from indexing.processes import free_port
from tests.processes import stop_process, stop_redis_in

ROOT = Path(__file__).resolve().parents[2]



@pytest.fixture(scope="module")
def playground(tmp_path_factory, session_dir, encoders):
    data = tmp_path_factory.mktemp("service") / "data"
    port = free_port()
    env = dict(os.environ, HASHLENS_DATA_DIR=str(data), HASHLENS_PLAYGROUND_PORT=str(port),
               HASHLENS_MODEL_CACHE_DIR=str(session_dir / "models"), HASHLENS_LOG_LEVEL="WARNING")
    for name in ("REDIS_URL", "TELEGRAM_BOT_TOKEN", "HASHLENS_TELEGRAM_BOT_TOKEN"):
        env.pop(name, None)
    service = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        banner = ""
        while "hashlens playground" not in banner and time.monotonic() < deadline:
            line = service.stdout.readline()
            assert line or service.poll() is None, f"service exited: {banner}"
            banner += line
        service.banner, service.port, service.env, service.data = banner, port, env, data
        yield service
    finally:  # the SIGTERM test stops it; if it did not run or failed, stopped here, its Redis too
        stop_process(service)
        stop_redis_in(data)


def test_the_run_command_serves_the_playground_and_the_cli(playground):
    from bot.emulator.client import EmulatorClient

    assert "14 photos indexed" in playground.banner, playground.banner
    assert f"http://127.0.0.1:{playground.port}/" in playground.banner
    client = EmulatorClient(f"http://127.0.0.1:{playground.port}")
    assert "<title>hashlens playground</title>" in client.http.get("/").text
    you = client.http.get("/control/playground").json()["you"]
    sent = client.send(you, text="/find a cup of coffee")
    replies = client.wait(you, sent[0]["message_id"], count=2, timeout=60)
    assert "a cup of coffee" in replies[0]["text"] and "espresso" in replies[1]["caption"]
    client.close()
    found = subprocess.run([sys.executable, "-m", "indexing", "find", "a cup of coffee"], cwd=ROOT,
                           env=playground.env, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0 and "coffee.jpg" in found.stdout.splitlines()[0], found.stderr
    assert (playground.data / "redis.sock").exists()  # the CLI used the service's Redis and left it running


def _browser():
    chromedriver = shutil.which("chromedriver")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not (chromedriver and chromium):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def test_a_person_uploads_a_photo_in_the_page_and_sees_the_reply(playground, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    photo = tmp_path / "my coffee.jpg"
    photo.write_bytes(jpeg_bytes(sample_image("coffee")))
    driver = _browser()
    try:
        driver.get(f"http://127.0.0.1:{playground.port}/")
        wait = WebDriverWait(driver, 90, poll_frequency=0.3)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "button.chat.active"))
        driver.find_element(By.ID, "photo").send_keys(str(photo))
        driver.find_element(By.ID, "send").click()

        def bot_messages(d) -> list[tuple[str, list[bool]]]:
            """(text, [image loaded?]) of every bot message, read in one go (the page re-renders)."""
            return d.execute_script(
                "return Array.from(document.querySelectorAll('.msg[data-from=\"bot\"]')).map(m => [m.innerText,"
                " Array.from(m.querySelectorAll('img')).map(i => i.complete && i.naturalWidth > 0)]);")

        def answered(d):  # hashtags, then the similar photos, or (the demo holds this very photo) the line
            messages = bot_messages(d)  # saying nothing else looks like it
            whole = any(imgs for _, imgs in messages) or any("apart from copies of it" in t for t, _ in messages)
            return messages if any("Hashtags" in t for t, _ in messages) and whole else False

        replies = wait.until(answered)
        assert any("#coffee" in text for text, _ in replies)
        driver.find_element(By.ID, "text").send_keys("/find a cup of coffee")
        driver.find_element(By.ID, "send").click()
        # the match is shown with its photo, and the photo really loads in the page
        wait.until(lambda d: any("espresso" in t and "match" in t and imgs and all(imgs) for t, imgs in bot_messages(d)))
        # The simulated group is one click away, and the bot answers there too.
        driver.find_elements(By.CSS_SELECTOR, "button.chat")[1].click()
        driver.find_element(By.ID, "text").send_keys("/stats")
        driver.find_element(By.ID, "send").click()
        wait.until(lambda d: any("photos stored" in t for t, _ in bot_messages(d)))
    finally:
        driver.quit()


def test_sigterm_stops_the_service_and_its_redis_cleanly(playground):
    playground.send_signal(signal.SIGTERM)
    assert playground.wait(timeout=60) == 0
    assert not (playground.data / "redis.sock").exists()  # Redis shut down with the service
    assert any((playground.data / "appendonly").iterdir())  # and its AOF is on disk
