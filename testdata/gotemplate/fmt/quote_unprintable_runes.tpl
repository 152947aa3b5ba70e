{{ printf "%q" "x\u0378\u00AD\u200F\uE000\u2007\uFFFF" }}
{{ printf "%q" "ok: é 漢 😀 ∑" }} {{ printf "%+q" "é😀" }}
{{ quote "\u0378" }} {{ printf "%q" '\u200B' }} {{ printf "%q" '\u0378' }}
