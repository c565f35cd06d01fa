// Tag inputs (`input[data-tag-suggest]`): suggestions from the top tags (A-J5),
// loaded once, on first focus, into a shared <datalist>.

import { get } from "./api.js";
import { h, qsa } from "./dom.js";

const LIST_ID = "rq-tag-names";
let loading = null;

function load() {
  if (!loading) {
    loading = get("/tags", { limit: 200 })
      .then((page) => {
        const list = h("datalist", { id: LIST_ID });
        for (const item of (page && page.items) || []) list.append(h("option", { value: item.tag }));
        document.body.append(list);
      })
      .catch(() => {
        /* suggestions are a convenience; typing a tag still works */
      });
  }
  return loading;
}

export function initTags() {
  for (const input of qsa("input[data-tag-suggest]")) {
    input.setAttribute("list", LIST_ID);
    input.addEventListener("focus", load, { once: true });
  }
}
