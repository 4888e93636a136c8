// The print link of the bulletin page (a file of its own: the content policy allows no inline script).
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-print]");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
