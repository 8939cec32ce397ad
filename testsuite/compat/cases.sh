# shellcheck shell=bash
# The differential cases: `t NAME 'COMMAND'` runs COMMAND with bash in a scratch directory
# (run.sh), against Slurm when recording and against herd when testing. $HELD (held,
# -N 2 -n 4 -t 30 --mem 100, script ok.sh), $DONE (completed), $FAILED (exit 3) and $RUN
# (running on n4) exist; ok.sh, empty.sh, noshebang.sh, dos.sh, baddirective.sh,
# badtime.sh, directives.sh and mailtype.sh are in the directory. A case that submits a
# job holds it (-H) and masks its id with `| sed "s/$id/ID/g"`.

# shellcheck disable=SC2016  # the commands are expanded by run.sh's bash, not here

# ---- sbatch: errors
t sbatch_unknown_option 'sbatch --bogus-option --wrap true'
t sbatch_invalid_letter 'sbatch -Z --wrap true'
t sbatch_missing_argument 'sbatch --wrap'
t sbatch_missing_file 'sbatch nosuchfile.sh'
t sbatch_empty_script 'sbatch empty.sh'
t sbatch_no_shebang 'sbatch noshebang.sh'
t sbatch_dos_script 'sbatch dos.sh'
t sbatch_bad_directive 'sbatch baddirective.sh'
t sbatch_bad_time 'sbatch -t bogus --wrap true'
t sbatch_bad_time_directive 'sbatch badtime.sh'
t sbatch_bad_mem 'sbatch --mem 1Q --wrap true'
t sbatch_bad_ntasks 'sbatch -n abc --wrap true'
t sbatch_zero_ntasks 'sbatch -n 0 --wrap true'
t sbatch_zero_nodes 'sbatch -N 0 --wrap true'
t sbatch_bad_partition 'sbatch -p nopart --wrap true'
t sbatch_mem_and_mem_per_cpu 'sbatch --mem=1 --mem-per-cpu=1 --wrap true'
t sbatch_too_many_nodes 'sbatch -N 5 --wrap true'
t sbatch_bad_nodelist 'sbatch -w n9 --wrap true'

# ---- sbatch: what a submission prints and the job it makes
t sbatch_submitted 'sbatch -H ok.sh'
t sbatch_parsable 'id=$(sbatch --parsable -H ok.sh); echo "$id" | sed "s/^[0-9]*$/ID/"'
t sbatch_quiet 'sbatch -Q -H ok.sh'
t sbatch_held_reason 'id=$(sbatch --parsable -H ok.sh); squeue -h -j $id -o "%T %r"'
t sbatch_name_script 'id=$(sbatch --parsable -H ok.sh); squeue -h -j $id -o %j'
t sbatch_name_wrap 'id=$(sbatch --parsable -H --wrap true); squeue -h -j $id -o %j'
t sbatch_name_stdin 'id=$(sbatch --parsable -H <ok.sh); squeue -h -j $id -o %j'
t sbatch_name_option 'id=$(sbatch --parsable -H -J given ok.sh); squeue -h -j $id -o %j'
t sbatch_name_directive 'id=$(sbatch --parsable -H directives.sh); squeue -h -j $id -o "%j %l"'
t sbatch_directive_overridden 'id=$(sbatch --parsable -H -J cmdline -t 7 directives.sh); squeue -h -j $id -o "%j %l"'
t sbatch_default_stdout 'id=$(sbatch --parsable -H ok.sh); scontrol show job $id | grep -o "StdOut=[^ ]*" | sed "s/$id/ID/g"'
t sbatch_default_stderr 'id=$(sbatch --parsable -H ok.sh); scontrol show job $id | grep -o "StdErr=[^ ]*" | sed "s/$id/ID/g"'
t sbatch_output_pattern 'id=$(sbatch --parsable -H -o out-%j-%x.txt ok.sh); scontrol show job $id | grep -o "StdOut=[^ ]*" | sed "s/$id/ID/g"'
t sbatch_command_path 'id=$(sbatch --parsable -H ok.sh); scontrol show job $id | grep -o "Command=[^ ]*"'
t sbatch_workdir 'id=$(sbatch --parsable -H -D /tmp ok.sh); scontrol show job $id | grep -o "WorkDir=[^ ]*"'
for spec in 5:30 90 1-2 0:30 1:2:3 UNLIMITED 0 1-0:0:1 2:00:00 1-00:00:00; do
  t "sbatch_time_${spec//[:-]/_}" "id=\$(sbatch --parsable -H -t $spec ok.sh); squeue -h -j \$id -o %l"
done
t sbatch_nodes_range 'id=$(sbatch --parsable -H -N 1-3 ok.sh); squeue -h -j $id -o %D'
t sbatch_ntasks 'id=$(sbatch --parsable -H -n 6 ok.sh); squeue -h -j $id -o "%D %C"'
t sbatch_cpus_per_task 'id=$(sbatch --parsable -H -n 2 -c 3 ok.sh); squeue -h -j $id -o "%C"'
t sbatch_partition 'id=$(sbatch --parsable -H -p debug ok.sh); squeue -h -j $id -o %P'
t sbatch_nice 'id=$(sbatch --parsable -H --nice=10 ok.sh); squeue -h -j $id -o %y'
t sbatch_mail_type 'sbatch -H --mail-type=END --mail-user=root ok.sh'
t sbatch_mail_directive 'sbatch -H mailtype.sh'
t sbatch_account 'sbatch -H -A acct ok.sh'
t sbatch_comment 'sbatch -H --comment "a b" ok.sh'
t sbatch_verbose_flag 'sbatch -H --ignore-pbs ok.sh'
t sbatch_array 'sbatch -H --array=1-3 ok.sh'
t sbatch_dependency 'sbatch -H -d afterok:$HELD ok.sh'
t sbatch_signal 'sbatch -H --signal=USR1@60 ok.sh'
t sbatch_gres 'sbatch -H --gres=gpu:1 ok.sh'
t sbatch_reservation 'sbatch -H --reservation=none ok.sh'

# ---- squeue
t squeue_default_held 'squeue -j $HELD'
t squeue_default_running 'squeue -j $RUN | sed -E "s/ [0-9]:[0-9]{2} / M:SS /"'
t squeue_noheader 'squeue -h -j $HELD'
t squeue_unknown_job 'squeue -j 99999'
t squeue_two_unknown_jobs 'squeue -j 99998,99999'
t squeue_unknown_job_noheader 'squeue -h -j 99999'
t squeue_bad_job_id 'squeue -j abc'
t squeue_bad_state 'squeue -t bogus'
t squeue_unknown_option 'squeue --bogus-option'
t squeue_completed_hidden 'squeue -j $DONE'
t squeue_completed_all 'squeue -t all -j $DONE'
t squeue_failed_all 'squeue -t all -j $FAILED -o "%i %T %r"'
t squeue_states 'squeue -h -t PD,R -j $RUN,$HELD,$DONE -o "%i %t"'
t squeue_sort 'squeue -h -j $RUN,$HELD -o "%i %t" --sort=-i'
t squeue_sort_name 'squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o "%i %j" -S j'
t squeue_sort_state_desc 'squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o "%i %t" --sort=-t'
t squeue_sort_default_all 'squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o "%i %t"'
t squeue_sort_env 'SQUEUE_SORT=-i squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o %i'
t squeue_sort_env_overridden 'SQUEUE_SORT=-i squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o %i -S i'
t squeue_sort_two_keys 'squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o "%D %i" --sort=-D,i'
t squeue_sort_letters 'squeue -h -t all -j $DONE,$FAILED,$RUN,$HELD -o "%D %i" --sort=Di'
t squeue_sort_bad 'squeue -j $HELD -S y'
t squeue_sort_bad_noheader 'squeue -h -j $HELD -S %i'
t squeue_sort_warning 'squeue -h -j $HELD -S b -o %i'
t squeue_long 'squeue -l -j $HELD'
t squeue_user 'squeue -h -u root -j $HELD -o %i'
t squeue_partition 'squeue -h -p debug -j $RUN -o %i'
t squeue_nodelist_filter 'squeue -h -w n4 -o %i'
for letter in a A b c C d D e E f F g G h H i I j J k l L m M n N o O p P q Q r R s S t T u U v V w W x X y Y z Z; do
  t "squeue_fmt_${letter}_held" "squeue -j \$HELD -o '%$letter'"
done
for letter in B C D j N P R t T; do
  t "squeue_fmt_${letter}_running" "squeue -j \$RUN -o '%$letter'"
done
t squeue_fmt_width 'squeue -j $HELD -o "%.5i|%-10j|%20P|%.3T"'
t squeue_fmt_literal 'squeue -h -j $HELD -o "id=%i name=%j %%"'
t squeue_env_format 'SQUEUE_FORMAT="%i %j" squeue -j $HELD'
for field in JobID Name State Partition TimeLimit NumNodes NumCPUs ReasonList UserName Nodelist; do
  t "squeue_Format_${field}" "squeue -j \$HELD -O $field"
done
t squeue_Format_width 'squeue -j $HELD -O "JobID:8,Name:12,State"'

# ---- SLURM_TIME_FORMAT
t time_format_standard 'SLURM_TIME_FORMAT=standard squeue -h -j $RUN -o %S'
t time_format_epoch 'SLURM_TIME_FORMAT=%s squeue -h -j $RUN -o "%S %V" | grep -cE "^[0-9]{10} [0-9]{10}$"'
t time_format_strftime 'SLURM_TIME_FORMAT="%Y|%H" squeue -h -j $RUN -o %V | grep -cE "^[0-9]{4}\|[0-9]{2}$"'
t time_format_relative 'SLURM_TIME_FORMAT=relative squeue -h -j $RUN -o %S | grep -cE "^[0-9]{2}:[0-9]{2}:[0-9]{2}$"'
t time_format_invalid 'SLURM_TIME_FORMAT=bogus squeue -h -j $RUN -o "%S %V"'
t time_format_scontrol 'SLURM_TIME_FORMAT=%s scontrol show job $RUN | grep -oE "(Submit|Start)Time=[0-9]+" | sed -E "s/[0-9]+/N/"'

# ---- sinfo
t sinfo_default 'sinfo'
t sinfo_nodes 'sinfo -N'
t sinfo_nodes_long 'sinfo -N -l'
t sinfo_long 'sinfo -l'
t sinfo_summarize 'sinfo -s'
t sinfo_noheader 'sinfo -h'
t sinfo_partition 'sinfo -p debug'
t sinfo_unknown_partition 'sinfo -p nopart'
t sinfo_state_idle 'sinfo -t idle'
t sinfo_state_mix 'sinfo -t mix -N'
t sinfo_node 'sinfo -n n4 -N'
t sinfo_responding 'sinfo -r'
t sinfo_exact 'sinfo -e'
t sinfo_unknown_option 'sinfo --bogus-option'
for letter in a A c C D e f F h l m n N o O P R s t T X Y z Z; do
  t "sinfo_fmt_${letter}" "sinfo -o '%$letter'"
  t "sinfo_fmt_${letter}_nodes" "sinfo -N -o '%$letter'"
done
t sinfo_env_format 'SINFO_FORMAT="%P %D" sinfo'
for field in PartitionName NodeList StateCompact CPUs Memory NodeHost Available Time Nodes; do
  t "sinfo_Format_${field}" "sinfo -O $field"
done

# ---- scontrol
t scontrol_show_job_unknown 'scontrol show job 99999'
t scontrol_show_jobid_unknown 'scontrol show jobid 99999'
t scontrol_show_job_held 'scontrol show job $HELD'
t scontrol_show_job_oneliner 'scontrol show -o job $HELD'
t scontrol_show_jobid_dd 'scontrol show jobid -dd $HELD'
t scontrol_show_job_done 'scontrol show job $DONE | grep -o "JobState=[A-Z]* Reason=[^ ]*"'
t scontrol_show_job_failed 'scontrol show job $FAILED | grep -oE "(JobState|Reason|ExitCode)=[^ ]*"'
t scontrol_show_partition 'scontrol show partition'
t scontrol_show_partition_oneliner 'scontrol show partition -o'
t scontrol_show_partition_named 'scontrol show partition debug'
t scontrol_show_partition_oneliner_named 'scontrol -o show partition debug'
t scontrol_show_partition_unknown 'scontrol show partition nopart'
t scontrol_show_node 'scontrol show node n1'
t scontrol_show_node_unknown 'scontrol show node n9'
t scontrol_show_hostnames 'scontrol show hostnames "n[1-3],x5"'
t scontrol_show_hostlist 'scontrol show hostlist n1,n2,n3,n5'
t scontrol_show_hostlistsorted 'scontrol show hostlistsorted n3,n1,n2'
t scontrol_bad_keyword 'scontrol bogus'
t scontrol_unknown_option 'scontrol --bogus-option'
t scontrol_hold_release 'id=$(sbatch --parsable --exclusive -w n4 ok.sh); scontrol hold $id; squeue -h -j $id -o "%T %r"; scontrol release $id; squeue -h -j $id -o %T; scancel $id'
t scontrol_update_timelimit 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id TimeLimit=10; squeue -h -j $id -o %l'
t scontrol_update_name 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id JobName=renamed; squeue -h -j $id -o %j'
t scontrol_update_unknown_job 'scontrol update JobId=99999 TimeLimit=10'
t scontrol_hold_unknown 'scontrol hold 99999'
t scontrol_update_partition_bad 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id Partition=nope 2>&1 | sed "s/for job [0-9]*/for job ID/"'
t scontrol_update_numtasks 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id NumTasks=3; squeue -h -j $id -o "%C"'
t scontrol_update_numnodes 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id NumNodes=2; squeue -h -j $id -o "%D"'
t scontrol_update_bad_key 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id Bogus=1'
t scontrol_update_bad_time 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id TimeLimit=abc'
t scontrol_update_two_keys 'id=$(sbatch --parsable -H ok.sh); scontrol update JobId=$id TimeLimit=3 JobName=two; squeue -h -j $id -o "%j %l"'
t scontrol_update_running_name 'scontrol update JobId=$RUN JobName=run2; squeue -h -j $RUN -o %j; scontrol update JobId=$RUN JobName=run'
t scontrol_update_running_partition 'scontrol update JobId=$RUN Partition=debug'
t scontrol_update_running_lower 'id=$(sbatch --parsable -t 30 -w n4 --wrap "sleep 60"); until [ "$(squeue -h -j $id -o %T)" = RUNNING ]; do sleep 0.1; done; scontrol update JobId=$id TimeLimit=20; squeue -h -j $id -o %l; scancel $id'
t scontrol_update_done 'scontrol update JobId=$DONE TimeLimit=5'
t scontrol_show_hostlistsorted_dups 'scontrol show hostlistsorted n3,n1,n2,n1,n10,m2'

# ---- scancel
t scancel_unknown 'scancel 99999'
t scancel_bad_id 'scancel abc'
t scancel_unknown_option 'scancel --bogus-option'
t scancel_held 'id=$(sbatch --parsable -H ok.sh); scancel $id; squeue -h -t all -j $id -o "%T"'
t scancel_batch_signal 'scancel -b -s USR1 99999'
t scancel_name 'id=$(sbatch --parsable -H -J tocancel ok.sh); scancel -n tocancel; squeue -h -t all -j $id -o "%T"'
t scancel_no_id 'scancel'
t scancel_bad_state 'scancel -t bogus'
t scancel_bad_user 'scancel -u nosuchuser'
t scancel_bad_signal 'scancel -s BOGUS 1'
t scancel_zero_signal 'scancel -s 0 -n nomatch'
t scancel_state_done 'scancel -t CD'
t scancel_partition_unknown 'scancel -p nopart'
t scancel_nodelist_unknown 'scancel -w n9'
t scancel_nodelist_bad 'scancel -w "n["'
t scancel_nodelist 'id=$(sbatch --parsable -w n3 -o /dev/null --wrap "sleep 60"); until [ "$(squeue -h -j $id -o %T)" = RUNNING ]; do sleep 0.1; done; scancel -w n3; until [ "$(squeue -h -t all -j $id -o %T)" = CANCELLED ]; do sleep 0.1; done; squeue -h -t all -j $id -o %T'
t scancel_interactive_no 'id=$(sbatch --parsable -H -J conf ok.sh); echo n | scancel -i $id | sed "s/$id/ID/"; echo; squeue -h -j $id -o %T; scancel $id'
t scancel_interactive_yes 'id=$(sbatch --parsable -H -J conf ok.sh); echo y | scancel --interactive $id | sed "s/$id/ID/"; echo; squeue -h -t all -j $id -o %T'
t scancel_hurry 'id=$(sbatch --parsable -H ok.sh); scancel -H $id; squeue -h -t all -j $id -o %T'
t scancel_me 'id=$(sbatch --parsable -H -J mine ok.sh); scancel --me -n mine; squeue -h -t all -j $id -o %T'
t scancel_user_state 'id=$(sbatch --parsable -H -J us ok.sh); scancel -u root -t PD -n us; squeue -h -t all -j $id -o %T'
t scancel_batch_pending 'id=$(sbatch --parsable -H ok.sh); scancel -b $id; squeue -h -t all -j $id -o %T'
# a signal reaches the steps (none here), -f the batch shell too, -b the batch shell alone
printf '#!/bin/sh\ntrap "echo got USR1" USR1\ntrap "echo got USR2; exit 0" USR2\necho ready\nwhile :; do sleep 1 & wait; done\n' >sig.sh
for mode in steps:-s full:-fs; do
  t "scancel_signal_${mode%%:*}" "id=\$(sbatch --parsable -w n2 -o sig-${mode%%:*}.out sig.sh); until grep -q ready sig-${mode%%:*}.out 2>/dev/null; do sleep 0.1; done; scancel ${mode#*:} USR1 \$id; scancel -b -s USR2 \$id; until [ \"\$(squeue -h -t all -j \$id -o %T)\" = COMPLETED ]; do sleep 0.1; done; cat sig-${mode%%:*}.out"
done

# ---- srun, salloc
t srun_unknown_option 'srun --bogus-option true'
t salloc_unknown_option 'salloc --bogus-option true'
t srun_no_command 'srun -N1'
t srun_hostname_count 'srun -N2 -n2 hostname | wc -l'
t srun_tasks_per_node 'srun -N2 -n4 printenv SLURM_TASKS_PER_NODE | sort -u'
t srun_layout_3_7 'srun -N3 -n7 printenv SLURM_TASKS_PER_NODE | sort -u'
t srun_layout_2_3 'srun -N2 -n3 printenv SLURM_TASKS_PER_NODE | sort -u'
t srun_layout_2_6 'srun -N2 -n6 printenv SLURM_TASKS_PER_NODE | sort -u'
t srun_layout_cpus 'srun -N2 -n4 printenv SLURM_JOB_CPUS_PER_NODE | sort -u'
t srun_layout_cpus_per_task 'srun -N2 -n4 -c2 printenv SLURM_TASKS_PER_NODE SLURM_JOB_CPUS_PER_NODE | sort -u'
t salloc_layout 'salloc -N2 -n4 sh -c "echo \$SLURM_TASKS_PER_NODE \$SLURM_JOB_CPUS_PER_NODE" 2>/dev/null'
t srun_task_ids 'srun -n3 -l printenv SLURM_PROCID | sort'
t srun_exit_code 'srun -n1 sh -c "exit 3"'
t salloc_command 'salloc -N1 -n1 echo inside 2>/dev/null'

# ---- salloc's and srun's options herd does not act on, or not yet
t salloc_bell 'salloc -N1 --bell echo inside 2>/dev/null'
t salloc_account 'salloc -N1 -A acct echo inside 2>&1 | grep -vi "job allocation"'
t salloc_no_shell 'salloc -N1 --no-shell 2>&1 | grep -vi "job allocation"'
t salloc_immediate 'salloc -N1 -I echo inside 2>&1 | grep -vi "job allocation"'
t srun_disable_status 'srun -X -N1 echo ok'
t srun_exact 'srun --exact -n1 echo ok'
t srun_threads 'srun -T 2 -n1 echo ok'
t srun_multi_prog 'srun -n1 --multi-prog conf.txt'
t srun_pty 'srun --pty -n1 echo ok'
t srun_preserve_env 'srun -E -n1 echo ok'

# ---- input environment variables: command line > environment > #SBATCH
t env_sbatch_over_directive 'id=$(SBATCH_JOB_NAME=fromenv SBATCH_TIMELIMIT=7 sbatch -H --parsable directives.sh); squeue -h -j "$id" -o "%j %l"'
t env_sbatch_under_command_line 'id=$(SBATCH_JOB_NAME=fromenv sbatch -H --parsable -J cl directives.sh); squeue -h -j "$id" -o "%j %l"'
t env_sbatch_bad_time 'SBATCH_TIMELIMIT=bogus sbatch --wrap true'
t env_sbatch_bad_mem 'SBATCH_MEM_PER_NODE=1Q sbatch --wrap true'
t env_sbatch_partition 'id=$(SBATCH_PARTITION=debug sbatch -H --parsable ok.sh); squeue -h -j "$id" -o "%P"'
t env_sbatch_no_requeue 'id=$(SBATCH_NO_REQUEUE=0 sbatch -H --parsable ok.sh); scontrol show job "$id" | grep -o "Requeue=[0-9]"'
t env_sbatch_exclusive_bad 'SBATCH_EXCLUSIVE=bogus sbatch --wrap true'
t env_sbatch_account 'SBATCH_ACCOUNT=acct sbatch -H ok.sh'
t env_sbatch_array 'SBATCH_ARRAY_INX=1-3 sbatch -H ok.sh'
t env_srun_label 'SLURM_LABELIO=1 srun -n2 echo hi | sort'
t env_srun_label_zero 'SLURM_LABELIO=0 srun -n1 echo nolabel'
t env_srun_bad_time 'SLURM_TIMELIMIT=bogus srun -n1 true'
t env_srun_bad_time_command_line 'SLURM_TIMELIMIT=bogus srun -t 1 -n1 true'
t env_srun_time 'SLURM_TIMELIMIT=3 srun -n1 sh -c "squeue -h -j \$SLURM_JOB_ID -o %l"'
t env_srun_workdir 'SLURM_WORKING_DIR=/tmp srun -n1 pwd'
t env_srun_stdout 'SLURM_STDOUTMODE=srun-out.txt srun -n1 echo x; cat srun-out.txt'
t env_srun_cpus_per_task 'SRUN_CPUS_PER_TASK=2 srun -n1 printenv SLURM_CPUS_PER_TASK'
t env_salloc_bad_time 'SALLOC_TIMELIMIT=bogus salloc true'
t env_salloc_time 'SALLOC_TIMELIMIT=3 salloc -N1 sh -c "squeue -h -j \$SLURM_JOB_ID -o %l" 2>/dev/null'
t env_salloc_time_command_line 'SALLOC_TIMELIMIT=3 salloc -N1 -t 4 sh -c "squeue -h -j \$SLURM_JOB_ID -o %l" 2>/dev/null'
