// Path data of the 16×16 stroked icons (lib/Icon.svelte, lib/dom.ts `icon`).

export const ICONS = {
  eye: ["M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8s-2.4 4.5-6.5 4.5S1.5 8 1.5 8z", "M8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4z"],
  download: ["M8 2.5v8", "M4.5 7L8 10.5 11.5 7", "M3 13.5h10"],
  pencil: ["M11.2 2.3l2.5 2.5L5.5 13H3v-2.5z", "M9.5 4l2.5 2.5"],
  trash: ["M2.5 4h11", "M6 4V2.5h4V4", "M4 4l.7 9.5h6.6L12 4", "M6.7 6.5v4.5M9.3 6.5v4.5"],
  plus: ["M8 3v10M3 8h10"],
  close: ["M4 4l8 8M12 4l-8 8"],
  play: ["M5 3.5v9l7-4.5z"],
  refresh: ["M13.5 8a5.5 5.5 0 1 1-1.61-3.89M13.5 2.5v3h-3"],
};
