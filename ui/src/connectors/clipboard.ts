// Copies text for the preview's Copy buttons.

export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    // WebKitGTK may refuse the async clipboard: fall back to a selection copy, whose text area
    // is emptied and removed at once.
  }
  const area = document.createElement("textarea");
  area.className = "sr-only";
  area.setAttribute("aria-hidden", "true");
  area.tabIndex = -1;
  area.value = text;
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.value = "";
  area.remove();
  if (!ok) throw new Error("the clipboard refused the copy");
}
