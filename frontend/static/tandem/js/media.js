// Photos and voice prompts of a family: the photo picker (the phone's camera or library)
// and the voice recorder (MediaRecorder: Opus in WebM on Chromium, AAC in MP4 on Safari).
// Screens only place them and read back the media id; uploads go straight to the server
// and are not queued offline (a photo needs a connection, and the screen says so).

import { api, ApiError } from "./api.js";
import { h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

export const MAX_RECORDING_SECONDS = 30;

/** The recording format this browser can make, or "" when it records none we accept. */
export function recordingType() {
  if (typeof MediaRecorder === "undefined") return "";
  for (const type of ["audio/webm;codecs=opus", "audio/mp4", "audio/webm", "audio/ogg;codecs=opus"]) {
    if (MediaRecorder.isTypeSupported(type)) return type;
  }
  return "";
}

async function uploadMedia(familyId, blob, kind, filename) {
  if (!navigator.onLine) throw new Error(gettext("Adding a photo or a recording needs a connection. Try again when you are online."));
  const form = new FormData();
  form.append("kind", kind);
  form.append("file", blob, filename);
  return api.upload(`families/${familyId}/media/`, form);
}

function problem(error) {
  if (error instanceof ApiError) return (error.errors.file && error.errors.file[0]) || error.message;
  if (error instanceof TypeError) return gettext("Adding a photo or a recording needs a connection. Try again when you are online.");
  return error.message;
}

/**
 * A photo for a step or a child: shows the thumbnail, lets one take or choose another,
 * or remove it. `onChange(media | null)` receives the uploaded media.
 * @param {{familyId: number, id: string, label: string, current?: {id: number, thumbnail_url: string} | null, onChange: (m: any) => void}} options
 */
export function photoPicker({ familyId, id, label, current = null, onChange }) {
  let media = current;
  const status = h("p", { class: "hint media-status", id: `${id}-status`, role: "status" });
  const root = h("div", { class: "media-picker" });
  const input = h("input", {
    id: `${id}-file`, type: "file", accept: "image/*", capture: "environment", class: "sr-only",
    "aria-describedby": `${id}-status`,
    onchange: async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      status.textContent = gettext("Uploading the photo…");
      try {
        media = await uploadMedia(familyId, file, "image", file.name || "photo.jpg");
        status.textContent = gettext("Photo added.");
        onChange(media);
      } catch (error) {
        status.textContent = problem(error);
      }
      input.value = "";
      render();
    },
  });
  function render() {
    const thumb = media && media.thumbnail_url
      ? h("img", { class: "media-thumb", src: media.thumbnail_url, alt: interpolate(gettext("Photo: %(label)s"), { label }), width: 64, height: 64 })
      : null;
    root.replaceChildren(
      ...(thumb ? [thumb] : []),
      input,
      h("label", { class: "button secondary media-button", for: `${id}-file` },
        media ? gettext("Change photo") : gettext("Add photo"),
        h("span", { class: "sr-only" }, ` (${label})`)),
      ...(media ? [h("button", { type: "button", class: "quiet media-button",
        onclick: () => { media = null; status.textContent = gettext("Photo removed."); onChange(null); render(); } },
        gettext("Remove photo"), h("span", { class: "sr-only" }, ` (${label})`))] : []),
      status);
  }
  render();
  return root;
}

/**
 * A voice prompt for a step: record (at most 30 s, with a countdown), stop, play,
 * record again, remove. `onChange(media | null)` receives the uploaded recording.
 * @param {{familyId: number, id: string, label: string, current?: {id: number, url: string} | null, onChange: (m: any) => void}} options
 */
export function voiceRecorder({ familyId, id, label, current = null, onChange }) {
  let media = current;
  let recorder = null;
  let timer = 0;
  let left = MAX_RECORDING_SECONDS;
  const status = h("p", { class: "hint media-status", id: `${id}-status`, role: "status", "aria-live": "polite" });
  const root = h("div", { class: "media-recorder" });
  const type = recordingType();

  async function start() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      status.textContent = gettext("Tandem may not use the microphone. Allow it in the browser's settings.");
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 32000 });
    recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
    recorder.onstop = async () => {
      clearInterval(timer);
      stream.getTracks().forEach((track) => track.stop());
      recorder = null;
      const blob = new Blob(chunks, { type: type.split(";")[0] });
      status.textContent = gettext("Saving the recording…");
      render();
      try {
        media = await uploadMedia(familyId, blob, "audio", type.includes("mp4") ? "voice.mp4" : "voice.webm");
        status.textContent = gettext("Recording saved.");
        onChange(media);
      } catch (error) {
        status.textContent = problem(error);
      }
      render();
    };
    left = MAX_RECORDING_SECONDS;
    recorder.start(250);
    timer = setInterval(() => {
      left -= 1;
      status.textContent = interpolate(gettext("Recording… %(seconds)s s left"), { seconds: left });
      if (left <= 0 && recorder) recorder.stop();
    }, 1000);
    status.textContent = interpolate(gettext("Recording… %(seconds)s s left"), { seconds: left });
    render();
  }

  function render() {
    const recording = recorder !== null;
    const controls = [];
    if (!type) {
      status.textContent = gettext("This browser cannot record sound.");
    } else if (recording) {
      controls.push(h("button", { type: "button", class: "media-button", onclick: () => recorder && recorder.stop() },
        gettext("Stop"), h("span", { class: "sr-only" }, ` (${label})`)));
    } else {
      controls.push(h("button", { type: "button", class: "quiet media-button", onclick: start },
        media ? gettext("Record again") : gettext("Record voice"), h("span", { class: "sr-only" }, ` (${label})`)));
    }
    if (media && !recording) {
      const audio = h("audio", { src: media.url, preload: "none" });
      controls.push(audio,
        h("button", { type: "button", class: "quiet media-button",
          onclick: () => { audio.currentTime = 0; audio.play().catch(() => { status.textContent = gettext("The recording could not be played."); }); } },
          gettext("Play voice"), h("span", { class: "sr-only" }, ` (${label})`)),
        h("button", { type: "button", class: "quiet media-button",
          onclick: () => { media = null; status.textContent = gettext("Recording removed."); onChange(null); render(); } },
          gettext("Remove voice"), h("span", { class: "sr-only" }, ` (${label})`)));
    }
    root.replaceChildren(...controls, status);
  }
  render();
  return root;
}
