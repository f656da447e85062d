// "Copy previous text": puts the previous period's status text into the entry's text box.
// Without JavaScript the buttons stay hidden; the previous text is on the page to copy by hand.
document.querySelectorAll("button.copy-previous").forEach((button) => {
  const target = document.getElementById(button.dataset.target);
  if (!target) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    target.value = button.dataset.text;
    target.focus();
  });
});
