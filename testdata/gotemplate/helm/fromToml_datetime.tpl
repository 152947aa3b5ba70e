{{- $d := fromToml "odt = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00.999-07:00\nodt3 = 1979-05-27T07:32:00+00:00\nldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 07:32:00.5\n" }}
{{ typeOf $d.odt }} {{ $d.odt }} | {{ $d.odt2 }} | {{ $d.odt3 }} | {{ $d.ldt }} | {{ $d.ld }} | {{ $d.lt }}
{{ toJson $d }}
{{ $d.odt2 | unixEpoch }} {{ $d.ld | date "2006-01-02 MST" }} {{ $d.odt2.Format "15:04 -07:00 MST" }}
