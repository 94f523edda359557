# Install-time step: gzip -9n every uncompressed man page under WA_MANDIR
# (Debian policy 12.1), whichever directory's rules installed it.
if(NOT DEFINED WA_MANDIR OR NOT IS_DIRECTORY "${WA_MANDIR}")
  return()
endif()
file(GLOB_RECURSE wa_pages "${WA_MANDIR}/man*/*.[1-9]")
foreach(p ${wa_pages})
  message(STATUS "Compressing: ${p}")
  execute_process(COMMAND gzip -9nf "${p}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${p} failed")
  endif()
endforeach()
