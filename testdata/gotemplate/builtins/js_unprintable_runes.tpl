{{- /* runes outside letters, marks, numbers, punctuation and symbols are escaped */ -}}
unassigned: {{ js "a\u0378b\U000E0080c" }}
format: {{ js "soft\u00ADhyphen \u200Emark \u061C \U000E0001tag" }}
private use: {{ js "\uE000\U000F0000" }}
spaces: {{ js "fig\u2007ure ideo\u3000graphic nb\u00A0sp" }}
noncharacter: {{ js "\uFFFE\uFDD0" }}
printable: {{ js "é ß 漢 😀 ∑ ¿" }}
