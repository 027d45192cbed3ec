// First run of a new installation (no admin yet): create the first admin from the browser, then sign in,
// so running a survey year needs no command line at all. POST /api/v1/setup is refused once an admin exists. The page is Vietnamese only: it is seen once, by whoever installs the system.
const form = document.getElementById("setup");
const status = document.getElementById("status");

function say(message) {
  status.className = "status error";
  status.textContent = message;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  if (data.password.length < 8) return say("Mật khẩu cần ít nhất 8 ký tự.");
  if (data.password !== data.password2) return say("Hai lần nhập mật khẩu không khớp.");
  let response;
  try {
    response = await fetch("/api/v1/setup", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": "vi" },
      body: JSON.stringify({ username: data.username.trim(), full_name: data.full_name.trim(), password: data.password }),
    });
  } catch {
    return say("Cần kết nối mạng để làm việc này.");
  }
  const body = await response.json();
  if (!response.ok) {
    const details = Object.values(body.errors || {}).flat().join(" ");
    return say(`${body.message} ${details}`.trim());
  }
  location.assign("/app/"); // the app's sign-in, now that an admin exists
});
document.getElementById("setup-username").focus();
