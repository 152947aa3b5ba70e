abc
 def {{ print 1 | fail }}