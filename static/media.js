// Click-to-load for remote videos (`[media] embed_remote = true`): nothing is fetched from the
// video's host until the reader presses the button, which is replaced by the player.
"use strict";
document.addEventListener("click", (event) => {
  const button = event.target.closest(".media-embed button");
  if (!button) return;
  const holder = button.closest(".media-embed");
  const address = holder.dataset.embed;
  if (!/^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)[\w-]+(\?dnt=1)?$/.test(address)) return;
  const frame = document.createElement("iframe");
  frame.src = address;
  frame.title = holder.dataset.title || "Video";
  frame.allow = "fullscreen; picture-in-picture";
  frame.referrerPolicy = "strict-origin";
  frame.loading = "lazy";
  holder.replaceChildren(frame);
  frame.focus();
});
